import { METHODS } from 'node:http'
import FindMyWay from 'find-my-way'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { HandlerFunc } from '../context/request-context.js'
import type { Params } from '../context/input.js'

export type { Params }

/** A registered route: what a lookup hands to the request context. */
export interface RouteEntry {
  /** HTTP method. */
  readonly method: string
  /** The pattern as registered, e.g. `/user/:id` (Hertz's `FullPath()`). */
  readonly fullPath: string
  /** Group middleware followed by the route's handlers. */
  readonly handlers: readonly HandlerFunc[]
  /** Name of the catch-all parameter (`filepath` for `/src/*filepath`), or null. */
  readonly wildcard: string | null
}

/** What a successful lookup returns (find-my-way's own result object, not copied). */
export interface Match {
  readonly store: RouteEntry
  readonly params: Params
}

/** Description of one route, as `h.routes()` lists them. */
export interface RouteInfo {
  /** The HTTP method, upper case (`'GET'`). */
  method: string
  /** The route pattern as registered, group prefix included (`'/api/user/:id'`). */
  path: string
  /** The name of the route's last handler function (`''` for an anonymous one). */
  handler: string
}

interface Shape {
  /** Pattern with every parameter written as `:` and every catch-all as `*`. */
  key: string
  /** Parameter names in order of appearance. */
  names: string[]
  /** Index in `key` of each parameter marker. */
  positions: number[]
}

const PARAM_NAME = /^[A-Za-z0-9_]+$/
const KNOWN_METHODS = new Set(METHODS)
const EMPTY_QUERY = Object.freeze({})
function noQuery (): object { return EMPTY_QUERY }
function unusedHandler (): void {}

function badRoute (path: string, why: string): HertzError {
  return new HertzError(HertzErrorCode.BAD_ROUTE, `invalid route '${path}': ${why}`)
}

/**
 * Checks a Hertz pattern and translates it to find-my-way's syntax: `:name` runs to the next `/` (one parameter
 * per segment, as in Hertz), `*name` must end the path and becomes find-my-way's `*`.
 */
function parsePattern (path: string): { fmw: string, shape: Shape, wildcard: string | null } {
  if (path === '') throw badRoute(path, "path should not be ''")
  if (path.charCodeAt(0) !== 47) throw badRoute(path, "path must begin with '/'")
  let fmw = ''
  let key = ''
  const names: string[] = []
  const positions: number[] = []
  let wildcard: string | null = null
  let i = 0
  while (i < path.length) {
    const ch = path[i] as string
    if (ch !== ':' && ch !== '*') {
      fmw += ch
      key += ch
      i++
      continue
    }
    let end = path.indexOf('/', i)
    if (end < 0) end = path.length
    const name = path.slice(i + 1, end)
    const segStart = path.lastIndexOf('/', i)
    const segment = path.slice(segStart + 1, end)
    if (!PARAM_NAME.test(name)) {
      throw badRoute(path, /[:*]/.test(name)
        ? `only one wildcard per path segment is allowed, has: '${segment}'`
        : `wildcards must be named with a non-empty name of letters, digits or '_' in path segment '${segment}'`)
    }
    positions.push(key.length)
    names.push(name)
    if (ch === ':') {
      fmw += ':' + name
      key += ':'
    } else {
      if (end !== path.length) throw badRoute(path, 'catch-all routes are only allowed at the end of the path')
      if (i === 0 || path.charCodeAt(i - 1) !== 47) throw badRoute(path, "no / before catch-all in path '" + path + "'")
      fmw += '*'
      key += '*'
      wildcard = name
    }
    i = end
  }
  return { fmw, shape: { key, names, positions }, wildcard }
}

/**
 * The route table: find-my-way trees for matching (compiled into generated code for speed), plus the Hertz
 * rules find-my-way does not enforce (conflict detection, named catch-alls), the case-insensitive index used
 * by redirect-fixed-path, and the per-method lists used for 405 answers.
 */
export class RouteTable {
  private readonly fmw = FindMyWay({ querystringParser: noQuery, maxParamLength: Number.MAX_SAFE_INTEGER })
  private readonly folded = FindMyWay({ querystringParser: noQuery, maxParamLength: Number.MAX_SAFE_INTEGER, caseSensitive: false })
  private readonly shapes = new Map<string, Array<{ shape: Shape, path: string }>>()
  private readonly entries: RouteEntry[] = []
  /** Methods that have at least one route, for 405 checks. */
  readonly methods: string[] = []

  constructor () {
    this.fmw.compile()
  }

  /** Registers a route. Throws `HERTZ_ERR_BAD_ROUTE`, `HERTZ_ERR_BAD_METHOD` or `HERTZ_ERR_ROUTE_CONFLICT`. */
  add (method: string, path: string, handlers: readonly HandlerFunc[]): RouteEntry {
    if (typeof method !== 'string' || !/^[A-Z]+$/.test(method) || !KNOWN_METHODS.has(method)) {
      throw new HertzError(HertzErrorCode.BAD_METHOD, `http method ${String(method)} is not valid`)
    }
    if (typeof path !== 'string') throw badRoute(String(path), 'path must be a string')
    if (handlers.length === 0) throw badRoute(path, 'there must be at least one handler')
    const { fmw, shape, wildcard } = parsePattern(path)
    let list = this.shapes.get(method)
    if (list === undefined) {
      list = []
      this.shapes.set(method, list)
      this.methods.push(method)
    }
    for (const other of list) checkConflict(method, path, shape, other.path, other.shape)
    const entry: RouteEntry = { method, fullPath: path, handlers, wildcard }
    this.fmw.on(method as FindMyWay.HTTPMethod, fmw, unusedHandler, entry)
    this.folded.on(method as FindMyWay.HTTPMethod, fmw, unusedHandler, entry)
    list.push({ shape, path })
    this.entries.push(entry)
    return entry
  }

  /** Looks `path` (already normalized and passed through `lookupPath`) up for `method`. */
  find (method: string, path: string): Match | null {
    return this.fmw.find(method as FindMyWay.HTTPMethod, path) as Match | null
  }

  /** Methods other than `method` that route `path`, sorted; empty when none do. */
  allowed (method: string, path: string): string[] {
    const out: string[] = []
    for (const m of this.methods) {
      if (m !== method && this.fmw.find(m as FindMyWay.HTTPMethod, path) !== null) out.push(m)
    }
    return out.sort()
  }

  /**
   * The case-corrected spelling of `path` for `method` (also trying the other trailing-slash form), with the
   * request's own parameter values, or null when no route matches case-insensitively.
   */
  fixedPath (method: string, path: string, lookup: (p: string) => string): string | null {
    const alt = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path + '/'
    for (const candidate of [path, alt]) {
      const m = this.folded.find(method as FindMyWay.HTTPMethod, lookup(candidate)) as Match | null
      if (m !== null) return fillPattern(m.store, m.params)
    }
    return null
  }

  /** Every registered route, in registration order. */
  routes (): RouteInfo[] {
    return this.entries.map(e => {
      const last = e.handlers[e.handlers.length - 1]
      return { method: e.method, path: e.fullPath, handler: last?.name ?? '' }
    })
  }
}

function checkConflict (method: string, path: string, shape: Shape, otherPath: string, other: Shape): void {
  if (shape.key === other.key) {
    throw new HertzError(HertzErrorCode.ROUTE_CONFLICT,
      `handlers are already registered for path '${otherPath}' (method ${method}), cannot add '${path}'`)
  }
  // Hertz keeps one parameter node per position: two routes sharing a prefix must name it alike.
  let common = 0
  const max = Math.min(shape.key.length, other.key.length)
  while (common < max && shape.key.charCodeAt(common) === other.key.charCodeAt(common)) common++
  for (let i = 0; i < shape.positions.length && i < other.positions.length; i++) {
    const pos = shape.positions[i] as number
    if (pos >= common || pos !== other.positions[i]) break
    if (shape.names[i] !== other.names[i]) {
      throw new HertzError(HertzErrorCode.ROUTE_CONFLICT,
        `wildcard '${shape.key[pos]}${shape.names[i]}' in new path '${path}' conflicts with existing wildcard ` +
        `'${other.key[pos]}${other.names[i]}' in existing prefix '${otherPath}' (method ${method})`)
    }
  }
}

/** Writes the registered pattern back out with the matched values in place of its parameters. */
function fillPattern (entry: RouteEntry, params: Params): string {
  return entry.fullPath.replace(/([:*])([A-Za-z0-9_]+)/g, (_m, kind: string, name: string) =>
    (kind === '*' ? params['*'] : params[name]) ?? '')
}
