import type { ServerResponse } from 'node:http'
import { HertzError, ErrorCodes } from '../errors.js'
import { isClean, normalizePath, lookupPath, quotePath, absoluteFormPath } from '../routing/path.js'
import { headFlags, HAS_HOST, HAS_BODY, declaredLength, readBody } from './body.js'
import { NO_PARAMS } from '../routing/table.js'
import { scopedNoRoute } from '../routing/plugin.js'
import { recover, sendSafely } from './recover.js'
import { completeUpgrade } from './upgrade.js'
import { stopWatching } from '../context/client-watch.js'
import { checkIdle } from '../server/lifecycle.js'
import type { RequestContext } from '../context/request-context.js'
import type { Engine } from '../server/engine.js'
import type { HandlersChain } from '../types.js'

// The request pipeline of an engine: path checks, body, lookup, the handler chain, then the answer. Each step
// returns a Promise only when something was asynchronous, so a synchronous chain allocates none.

const DONE: Promise<void> = Promise.resolve()

/** Serves `c` (a plain or an upgrade request) through `engine`; resolves when it has been answered. Never rejects. */
export function serve (engine: Engine, c: RequestContext): Promise<void> {
  engine.activeRequests++
  try {
    const r = dispatch(engine, c)
    if (r !== undefined) return r.then(() => complete(engine, c), (err: unknown) => recover(engine, c, err))
  } catch (err) {
    return recover(engine, c, err)
  }
  return complete(engine, c)
}

/** Path checks, body, lookup, chain. */
function dispatch (engine: Engine, c: RequestContext): void | Promise<void> {
  const req = c.req
  let url = req.url as string
  if (url.charCodeAt(0) !== 47) {
    const abs = absoluteFormPath(url)
    if (abs === null) return serveError(c, 400, 'Bad Request', engine.handlers)
    url = abs
  }
  const q = url.indexOf('?')
  let raw = url
  if (q >= 0) {
    raw = url.slice(0, q)
    c.rawQuery = url.slice(q + 1)
  }
  // The common clean path is used as it is, for the context and for the lookup alike.
  const clean = isClean(raw)
  const path = clean ? raw : normalizePath(raw)
  const lp = clean ? raw : lookupPath(path)
  c.path_ = path
  const flags = headFlags(req)
  if ((flags & HAS_HOST) === 0 && req.httpVersionMinor === 1 && req.httpVersionMajor === 1 && req.method !== 'CONNECT') {
    return serveError(c, 400, 'missing required Host header', engine.handlers)
  }
  if ((flags & HAS_BODY) !== 0 && !engine.options.streamRequestBody && c.upgradeSocket === null) {
    return withBody(engine, c, path, lp)
  }
  return route(engine, c, path, lp)
}

// The rarer steps live in functions of their own: the hot ones stay small enough for V8 to inline them together.

/** Reads the body (up to the limit), then routes. */
function withBody (engine: Engine, c: RequestContext, path: string, lp: string): void | Promise<void> {
  const max = engine.options.maxRequestBodySize
  if (declaredLength(c.req) > max) return bodyTooLarge(c)
  return readBody(c.req, max).then(body => {
    c.body_ = body
    return route(engine, c, path, lp)
  }, (err: unknown) => {
    if (err instanceof HertzError && err.code === ErrorCodes.HERTZ_ERR_BODY_TOO_LARGE) bodyTooLarge(c)
  })
}

function bodyTooLarge (c: RequestContext): void {
  c.abortWithMsg('Request Entity Too Large', 413)
  c.setConnectionClose()
}

/**
 * Runs the matching route's chain; else a redirect, a 405 or a 404 (each through the global middleware). `lp` is
 * `path` as the table looks it up (see lookupPath).
 */
function route (engine: Engine, c: RequestContext, path: string, lp: string): void | Promise<void> {
  const match = engine.table.find(c.req.method as string, lp)
  if (match !== null) {
    c.setHandlers(match.store.handlers, match.store, match.params)
    return c.next(c)
  }
  return noMatch(engine, c, path, lp)
}

/** No route matched: a redirect, a 405 or a 404. */
function noMatch (engine: Engine, c: RequestContext, path: string, lp: string): void | Promise<void> {
  const method = c.req.method as string
  const table = engine.table
  const o = engine.options
  if (method !== 'CONNECT' && path !== '/') {
    if (o.redirectTrailingSlash) {
      const alt = path.endsWith('/') ? path.slice(0, -1) : path + '/'
      if (table.find(method, lookupPath(alt)) !== null) return redirectTo(c, alt)
    }
    if (o.redirectFixedPath) {
      const fixed = table.fixedPath(method, path, lookupPath)
      if (fixed !== null) return redirectTo(c, fixed)
    }
  }
  if (o.handleMethodNotAllowed) {
    const allowed = table.allowed(method, lp)
    if (allowed.length > 0) {
      c.response.header.set('Allow', allowed.join(', '))
      return serveError(c, 405, 'Method Not Allowed', engine.allNoMethod)
    }
  }
  return serveError(c, 404, 'Not Found', scopedNoRoute(engine, path) ?? engine.allNoRoute)
}

/** 301 for GET, 307 otherwise, keeping the query (Hertz's redirectRequest). */
function redirectTo (c: RequestContext, path: string): void {
  const location = quotePath(path) + (c.rawQuery === '' ? '' : '?' + c.rawQuery)
  c.redirect(c.req.method === 'GET' ? 301 : 307, location)
}

/** Runs `chain` with status `code` preset; fills in the default text if the chain left the answer empty. */
function serveError (c: RequestContext, code: number, msg: string, chain: HandlersChain): void | Promise<void> {
  c.setStatusCode(code)
  c.setHandlers(chain, null, NO_PARAMS)
  const r = c.next(c)
  if (r !== undefined) return r.then(() => { fillDefault(c, code, msg) })
  fillDefault(c, code, msg)
}

function fillDefault (c: RequestContext, code: number, msg: string): void {
  const r = c.response
  if (r.statusCode() === code && !r.hasBody()) {
    r.header.contentType = 'text/plain'
    r.setBody(msg)
  }
}

/** The chain is over: write the response (or hand an upgrade over). Never rejects. */
export function complete (engine: Engine, c: RequestContext): Promise<void> {
  if (--engine.activeRequests === 0 && engine.idleWaiters.length !== 0) checkIdle(engine)
  c.finished = true
  if (c.hasSignal()) stopWatching(engine, c)
  if (c.isResponseTaken()) return DONE
  if (c.upgradeSocket !== null) return completeUpgrade(engine, c, c.upgradeSocket)
  writeAnswer(c, c.res)
  return DONE
}

/** Ends `res`: a stream is ended; the buffered answer is written unless someone already answered through `c.res`. */
export function writeAnswer (c: RequestContext, res: ServerResponse): void {
  if (c.streaming) {
    if (!res.writableEnded && !res.destroyed) res.end()
  } else if (!res.headersSent && !res.writableEnded && !res.destroyed) {
    sendSafely(c)
  }
}
