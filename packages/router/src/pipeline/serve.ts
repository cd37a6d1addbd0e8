import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { HertzError, HertzErrorCode, formatError } from '../errors.js'
import { RequestContext, type HandlersChain } from '../context/request-context.js'
import { NO_PARAMS, type Params } from '../context/input.js'
import { stopWatching } from '../context/client-watch.js'
import { preparseMultipart } from '../context/forms.js'
import { isClean, normalizePath, quotePath, absoluteFormPath, forwardedPrefix, cleanPath, queryUnescape } from '../routing/path.js'
import { scopedNoRoute } from '../routing/plugin.js'
import { afterEarlierResponses } from '../server/node-internals.js'
import type { EngineRef } from '../server/engine-ref.js'
import {
  kBody, kFinish, kFinished, kHandlers, kHijackRun, kInflight, kMultipart, kNoMethod, kNoRoute, kParams, kPath, kRawQuery, kRoute,
  kTable, kUnwatch, kUpgradeSocket
} from '../symbols.js'
import { headFlags, HAS_HOST, HAS_BODY, declaredLength, readBody } from './body.js'
import { recover } from './recover.js'
import { acceptUpgrade, completeUpgrade } from './upgrade.js'
import { writeAnswer } from './write.js'
import { requestAnswered, requestArrived } from './queued.js'
import type { ServingEngine } from './host.js'

// The request pipeline of an engine: path checks, body, lookup, the handler chain, then the answer. Each step
// returns a Promise only when something was asynchronous, so a synchronous chain allocates none.

const DONE: Promise<void> = Promise.resolve()

/**
 * Serves `c` (a plain or an upgrade request) through `engine`: dispatch runs the chain, recovery turns an error
 * that escaped it into an answer, then the answer is written (or the upgrade handed over). Resolves when it has
 * been answered. Never rejects.
 */
export function serve (engine: ServingEngine, c: RequestContext): Promise<void> {
  engine[kInflight].begin()
  if (engine.options.idleTimeout === 0 && c[kUpgradeSocket] === null) requestArrived(c.req.socket)
  try {
    const r = dispatch(engine, c)
    if (r !== undefined) return r.then(() => completeLater(engine, c), (err: unknown) => failed(engine, c, err))
  } catch (err) {
    return failed(engine, c, err)
  }
  return complete(engine, c)
}

/** An error escaped the chain: recovery decides the answer, then it is written as any other. */
function failed (engine: ServingEngine, c: RequestContext, err: unknown): Promise<void> {
  const r = recover(engine, c, err)
  return r === undefined ? complete(engine, c) : r.then(() => completeLater(engine, c))
}

/** {@link complete} from a promise callback: a Promise returned there is adopted, which costs two more jobs. */
function completeLater (engine: ServingEngine, c: RequestContext): Promise<void> | undefined {
  const r = complete(engine, c)
  return r === DONE ? undefined : r
}

/**
 * Serves an upgrade request from node:http's `'upgrade'` (or `'connect'`) event. Resolves when the chain, and a
 * hijack handler if one ran, is done; never rejects and never throws: whatever fails is logged and the socket
 * destroyed, since an exception here would reach the process (node:http calls the listener from its parser).
 *
 * An upgrade request pipelined behind a keep-alive request arrives while that request's response may still own
 * the socket; it is served once every response ahead of it is out, so the answers leave in request order.
 *
 * With `wait` false the promise settles with the chain and leaves the hijack's run alone: the server's own
 * listeners drop it, and waiting would make the run's promise adopted by another (two more microtask jobs per
 * upgrade).
 */
export function serveUpgrade (engine: ServingEngine & EngineRef, req: IncomingMessage, socket: Socket, head: Buffer, wait: boolean): Promise<void> {
  try {
    acceptUpgrade(engine, socket)
    const earlier = afterEarlierResponses(socket)
    if (earlier !== null) return earlier.then(free => free ? startUpgrade(engine, req, socket, head, wait) : undefined)
  } catch (err) {
    upgradeFailed(engine, socket, err)
    return DONE
  }
  return startUpgrade(engine, req, socket, head, wait)
}

// The chain's promise, and the error net on it, settle at the hand-over: what stays pending for the life of a
// hijacked connection is the hijack's own run and the one promise returned to the caller. The net is made in a
// function of its own so that it keeps only the engine and the socket, not the request or its head buffer
// (V8 gives all closures of one call a single shared context).

function startUpgrade (engine: ServingEngine & EngineRef, req: IncomingMessage, socket: Socket, head: Buffer, wait: boolean): Promise<void> {
  let c: RequestContext
  try {
    c = new RequestContext(engine, req, null, socket, head)
  } catch (err) {
    upgradeFailed(engine, socket, err)
    return DONE
  }
  return serveUpgradeNow(engine, c, socket, wait)
}

function serveUpgradeNow (engine: ServingEngine, c: RequestContext, socket: Socket, wait: boolean): Promise<void> {
  const served = serve(engine, c)
  // A chain that handed the socket over in the turn it started (a WebSocket upgrader does) leaves nothing to wait
  // for but the hijack's own run, if the router started one.
  if (served === DONE) return wait ? c[kHijackRun] ?? DONE : DONE
  if (!wait) return served.then(undefined, (err: unknown) => { upgradeFailed(engine, socket, err) })
  return served.then(() => c[kHijackRun] ?? undefined, (err: unknown) => { upgradeFailed(engine, socket, err) })
}

function upgradeFailed (engine: ServingEngine, socket: Socket, err: unknown): void {
  engine.logger.error(`upgrade request failed: ${formatError(err)}`)
  socket.destroy()
}

/** Path checks, body, lookup, chain. */
function dispatch (engine: ServingEngine, c: RequestContext): void | Promise<void> {
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
    c[kRawQuery] = url.slice(q + 1)
  }
  // The common clean path is used as it is, for the context and for the lookup alike.
  const clean = isClean(raw)
  let path = clean ? raw : normalizePath(raw)
  c[kPath] = path
  // withUseRawPath routes the path as sent; c.path() stays the decoded one.
  if (engine.options.useRawPath && !clean) path = engine.options.removeExtraSlash ? cleanPath(raw) : raw
  const flags = headFlags(req)
  if ((flags & HAS_HOST) === 0 && req.httpVersionMinor === 1 && req.httpVersionMajor === 1 && req.method !== 'CONNECT') {
    return serveError(c, 400, 'missing required Host header', engine.handlers)
  }
  if ((flags & HAS_BODY) !== 0 && !engine.options.streamRequestBody && c[kUpgradeSocket] === null) {
    return withBody(engine, c, path)
  }
  return route(engine, c, path)
}

// The rarer steps live in functions of their own: the hot ones stay small enough for V8 to inline them together.

/** Reads the body (up to the limit), then routes. */
function withBody (engine: ServingEngine, c: RequestContext, path: string): void | Promise<void> {
  const max = engine.options.maxRequestBodySize
  if (declaredLength(c.req) > max) return bodyTooLarge(c)
  return readBody(c.req, max).then(body => {
    c[kBody] = body
    return route(engine, c, path)
  }, (err: unknown) => {
    if (err instanceof HertzError && err.code === HertzErrorCode.BODY_TOO_LARGE) bodyTooLarge(c)
  })
}

function bodyTooLarge (c: RequestContext): void {
  c.abortWithMsg('Request Entity Too Large', 413)
  c.setConnectionClose()
}

/** Runs the matching route's chain; else a redirect, a 405 or a 404 (each through the global middleware). */
function route (engine: ServingEngine, c: RequestContext, path: string): void | Promise<void> {
  const match = engine[kTable].find(c.req.method as string, path)
  if (match !== null) {
    c[kHandlers] = match.store.handlers
    c[kRoute] = match.store
    c[kParams] = engine.options.useRawPath ? rawParams(match.params, engine.options.unescapePathValues) : match.params
    if (c[kBody] !== null) {
      const parsing = preparseMultipart(c)
      if (parsing !== undefined) return parsing.then(() => c.next(c))
    }
    return c.next(c)
  }
  return noMatch(engine, c, path)
}

/** The parameters of a raw-path match, decoded as Hertz's tree does with `unescape` (`url.QueryUnescape`). */
function rawParams (params: Params, unescape: boolean): Params {
  if (!unescape) return params
  const out: Params = {}
  for (const [k, v] of Object.entries(params)) out[k] = v === undefined ? v : (queryUnescape(v) ?? v)
  return out
}

/** No route matched: a redirect, a 405 or a 404. */
function noMatch (engine: ServingEngine, c: RequestContext, path: string): void | Promise<void> {
  const method = c.req.method as string
  const table = engine[kTable]
  const o = engine.options
  if (method !== 'CONNECT' && path !== '/') {
    if (o.redirectTrailingSlash) {
      const alt = path.endsWith('/') ? path.slice(0, -1) : path + '/'
      if (table.find(method, alt) !== null) return redirectTo(c, forwardedPrefix(c.getHeader('X-Forwarded-Prefix')) + quotePath(alt))
    }
    if (o.redirectFixedPath) {
      // Hertz passes its RedirectFixedPath flag (true here) as the trailing-slash fix of the case-insensitive lookup.
      const fixed = table.fixedPath(method, path, true)
      if (fixed !== null) return redirectTo(c, quotePath(fixed))
    }
  }
  if (o.handleMethodNotAllowed) {
    const allowed = table.allowed(method, path)
    if (allowed.length > 0) {
      c.response.header.set('Allow', allowed.join(', '))
      return serveError(c, 405, 'Method Not Allowed', engine[kNoMethod])
    }
  }
  return serveError(c, 404, 'Not Found', scopedNoRoute(engine, path) ?? engine[kNoRoute])
}

/** 301 for GET, 307 otherwise, to `location` (already escaped) with the request's query (Hertz's redirectRequest). */
function redirectTo (c: RequestContext, location: string): void {
  c.redirect(c.req.method === 'GET' ? 301 : 307, location + (c[kRawQuery] === '' ? '' : '?' + c[kRawQuery]))
}

/** Runs `chain` with status `code` preset; fills in the default text if the chain left the answer empty. */
function serveError (c: RequestContext, code: number, msg: string, chain: HandlersChain): void | Promise<void> {
  c.setStatusCode(code)
  c[kHandlers] = chain
  c[kRoute] = null
  c[kParams] = NO_PARAMS
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
function complete (engine: ServingEngine, c: RequestContext): Promise<void> {
  engine[kInflight].end()
  c[kFinished] = true
  if (c[kUnwatch] !== null) stopWatching(c)
  if (c[kMultipart] !== null) c[kMultipart].release()
  if (c[kFinish] !== null) c[kFinish]()
  const socket = c[kUpgradeSocket]
  if (c.isResponseTaken()) {
    if (socket === null && engine.options.idleTimeout === 0) requestAnswered(c.req.socket)
    return DONE
  }
  if (socket !== null) {
    completeUpgrade(engine, c, socket)
    return DONE
  }
  if (engine.options.idleTimeout === 0) return answerLast(c)
  writeAnswer(c, c.res)
  return DONE
}

/**
 * With an idle timeout of 0, the answer waits one turn of the event loop, so that node:http has handed over the
 * requests pipelined behind this one in the same packet; the connection is kept open for them (see queued.ts).
 */
function answerLast (c: RequestContext): Promise<void> {
  return new Promise(resolve => {
    setImmediate(() => {
      try {
        writeAnswer(c, c.res)
      } finally {
        requestAnswered(c.req.socket)
        resolve()
      }
    })
  })
}
