import { METHODS } from 'node:http'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { HandlerFunc } from '../context/request-context.js'
import { NO_PARAMS, type Params } from '../context/input.js'
import { RouteTree } from './tree.js'

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
  /** The route's parameter names, in order (each route keeps its own, as in Hertz). */
  readonly names: readonly string[]
}

/** What a successful lookup returns (shared for a static route: do not modify). */
export interface Match {
  readonly store: RouteEntry
  readonly params: Params
}

/** Description of one route, as `h.routes()` lists them. */
export interface RouteInfo {
  method: string
  path: string
  handler: string
}

const PARAM_NAME = /^[A-Za-z0-9_]+$/
const KNOWN_METHODS = new Set(METHODS)

function badRoute (path: string, why: string): HertzError {
  return new HertzError(HertzErrorCode.BAD_ROUTE, `invalid route '${path}': ${why}`)
}

/**
 * Checks a Hertz pattern and splits it into its tree key (the pattern with parameter names dropped: `:` runs to
 * the next `/`, a final `*` takes the rest) and its parameter names.
 */
function parsePattern (path: string): { key: string, names: string[], wildcard: string | null } {
  if (path === '') throw badRoute(path, "path should not be ''")
  if (path.charCodeAt(0) !== 47) throw badRoute(path, "path must begin with '/'")
  let key = ''
  const names: string[] = []
  let wildcard: string | null = null
  let i = 0
  while (i < path.length) {
    const ch = path[i] as string
    if (ch !== ':' && ch !== '*') {
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
    names.push(name)
    if (ch === ':') {
      key += ':'
    } else {
      if (end !== path.length) throw badRoute(path, 'catch-all routes are only allowed at the end of the path')
      if (i === 0 || path.charCodeAt(i - 1) !== 47) throw badRoute(path, "no / before catch-all in path '" + path + "'")
      key += '*'
      wildcard = name
    }
    i = end
  }
  return { key, names, wildcard }
}

interface MethodRoutes {
  tree: RouteTree<RouteEntry>
  /** Routes without parameters, by path: found without walking the tree (a static route always wins there). */
  statics: Map<string, Match>
  /** Pattern keys (names dropped) already taken, with the path that took each. */
  keys: Map<string, string>
  dynamic: boolean
}

// Parameter values of the lookup in progress (lookups are synchronous, so one array serves them all).
const scratch: string[] = []

/**
 * The route table: one Hertz route tree per method (see tree.ts), an exact-path index for static routes, and the
 * per-method lists used for 405 answers.
 */
export class RouteTable {
  private readonly byMethod = new Map<string, MethodRoutes>()
  private readonly entries: RouteEntry[] = []
  /** Methods that have at least one route, for 405 checks. */
  readonly methods: string[] = []

  /** Registers a route. Throws `HERTZ_ERR_BAD_ROUTE`, `HERTZ_ERR_BAD_METHOD` or `HERTZ_ERR_ROUTE_CONFLICT`. */
  add (method: string, path: string, handlers: readonly HandlerFunc[]): RouteEntry {
    if (typeof method !== 'string' || !/^[A-Z]+$/.test(method) || !KNOWN_METHODS.has(method)) {
      throw new HertzError(HertzErrorCode.BAD_METHOD, `http method ${String(method)} is not valid`)
    }
    if (typeof path !== 'string') throw badRoute(String(path), 'path must be a string')
    if (handlers.length === 0) throw badRoute(path, 'there must be at least one handler')
    const { key, names, wildcard } = parsePattern(path)
    let m = this.byMethod.get(method)
    if (m === undefined) {
      m = { tree: new RouteTree(), statics: new Map(), keys: new Map(), dynamic: false }
      this.byMethod.set(method, m)
      this.methods.push(method)
    }
    const taken = m.keys.get(key)
    if (taken !== undefined) {
      throw new HertzError(HertzErrorCode.ROUTE_CONFLICT,
        `handlers are already registered for path '${taken}' (method ${method}), cannot add '${path}'`)
    }
    const entry: RouteEntry = { method, fullPath: path, handlers, wildcard, names }
    m.tree.add(key, entry)
    m.keys.set(key, path)
    if (names.length === 0) m.statics.set(path, { store: entry, params: NO_PARAMS })
    else m.dynamic = true
    this.entries.push(entry)
    return entry
  }

  /** Looks the normalized `path` up for `method`. */
  find (method: string, path: string): Match | null {
    const m = this.byMethod.get(method)
    if (m === undefined) return null
    const hit = m.statics.get(path)
    if (hit !== undefined) return hit
    if (!m.dynamic) return null
    const entry = m.tree.find(path, scratch)
    if (entry === null) return null
    if (entry.names.length === 0) return { store: entry, params: NO_PARAMS }
    const params: Params = {}
    const names = entry.names
    for (let i = 0; i < names.length; i++) params[names[i] as string] = scratch[i]
    return { store: entry, params }
  }

  /** Methods other than `method` that route `path`, sorted; empty when none do. */
  allowed (method: string, path: string): string[] {
    const out: string[] = []
    for (const m of this.methods) {
      if (m !== method && this.find(m, path) !== null) out.push(m)
    }
    return out.sort()
  }

  /**
   * The case-corrected spelling of `path` for `method`, with the request's own parameter text, or null when no
   * route matches case-insensitively (Hertz's findCaseInsensitivePath; with `fixTrailingSlash` the other
   * trailing-slash form counts too).
   */
  fixedPath (method: string, path: string, fixTrailingSlash: boolean): string | null {
    const m = this.byMethod.get(method)
    return m === undefined ? null : m.tree.findCaseInsensitive(path, fixTrailingSlash)
  }

  /** Every registered route, in registration order. */
  routes (): RouteInfo[] {
    return this.entries.map(e => {
      const last = e.handlers[e.handlers.length - 1]
      return { method: e.method, path: e.fullPath, handler: last?.name ?? '' }
    })
  }
}
