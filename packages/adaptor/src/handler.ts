import type { IncomingMessage, ServerResponse } from 'node:http'
import { isThenable, setServerHeader, type Context, type HandlerFunc, type RequestContext } from '@hertz-node/router'
import { AdaptorError, AdaptorErrorCode } from './errors.js'
import { carryHeaders } from './headers.js'
import { nodeRequest } from './request-replay.js'
import { Exchange, record, socketBytes, watchPipes } from './exchange.js'

/**
 * A standard Node request handler, as `http.createServer` takes it (an express app is one). It may return a
 * Promise; the response, not the Promise, says when it is done.
 */
export type NodeHandler<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> =
  (req: Req, res: Res) => unknown

/**
 * Turns a standard Node handler into a router handler (Go's `adaptor.HertzHandler(http.Handler)`).
 *
 * `fn` gets the real `IncomingMessage` (its body unread, or replayed when the router already read it) and the
 * real `ServerResponse`, carrying the headers earlier middleware set on `c.response`; everything it writes
 * reaches the client at once. The returned handler settles when the response is over (`finish`, `close`,
 * `error`) - at once when `fn` ended it before returning - so middleware that awaited `c.next()` sees the real
 * status in `c.response.statusCode()` and the body bytes in `c.response.bytesSent()`.
 *
 * On an upgrade request `res` is bound to the socket: an ordinary answer (404, 426, ...) works, and
 * `hijack(res)` hands over the socket and `head`. After a hijack the router writes nothing more and the
 * handler settles at once: the socket is the hijacker's, and the request context, `req` and `res` are released
 * while `fn` goes on serving the connection (as around the router's own `c.hijack`).
 *
 * If `fn` throws or rejects before writing, the error takes the router's error path (500 under
 * `server.Default`); after writing, or after a hijack, the connection is destroyed and the error logged.
 *
 * @param fn - `(req, res) => void | Promise<void>`
 * @returns a router handler
 * @throws AdaptorError `ADAPTOR_ERR_BAD_HANDLER` when `fn` is not a function
 */
export function handler<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> (
  fn: NodeHandler<Req, Res>
): HandlerFunc {
  if (typeof fn !== 'function') {
    throw new AdaptorError(AdaptorErrorCode.BAD_HANDLER, `adaptor.handler: expected a function (req, res), got ${typeOf(fn)}`)
  }
  const node = fn as unknown as NodeHandler
  const wrapped: HandlerFunc = (_ctx: Context, c: RequestContext) => serve(node, c)
  // Route listings (h.routes()) name handlers after the function: keep the user's name, not the wrapper's.
  Object.defineProperty(wrapped, 'name', { value: fn.name === '' ? 'adaptorHandler' : fn.name })
  return wrapped
}

/**
 * Alias of {@link handler} spelled as in Hertz, so the seed's
 * `adaptor.HertzHandler(http.HandlerFunc(echo))` becomes `adaptor.HertzHandler(echo)`.
 */
export const HertzHandler = handler

function serve (fn: NodeHandler, c: RequestContext): void | Promise<void> {
  const res = c.res
  if (c.isUpgrade()) return serveUpgrade(fn, c, res)
  const start = socketBytes(res)
  prepareResponse(c, res)
  let ret: unknown
  try {
    ret = fn(nodeRequest(c), res)
  } catch (err) {
    // Rethrows when nothing was written yet, so the router's error path answers.
    new Exchange(c, res, start).fail(err)
    return
  }
  if (res.writableEnded) {
    // The common case: fn ended the response before returning. Everything it wrote is already counted by the
    // socket (corked until the next tick) or queued on `res` for its turn on a pipelined connection, and the
    // head is out: the status and the byte count are final, and a graceful shutdown has nothing left to mark.
    // So the exchange settles at once, with no listeners, no Promise and no in-flight tracking.
    if (!isThenable(ret)) {
      record(c, res, res.socket, start)
      return
    }
    // An async fn that answered before its first await: only a late rejection is left to report.
    const x = new Exchange(c, res, start)
    x.complete()
    x.watch(ret)
    return
  }
  const x = new Exchange(c, res, start)
  if (isThenable(ret)) x.watch(ret)
  return x.wait()
}

function serveUpgrade (fn: NodeHandler, c: RequestContext, res: ServerResponse): void | Promise<void> {
  const x = new Exchange(c, res, socketBytes(res))
  // Registered before fn runs: a hijack can happen synchronously inside it.
  x.registerUpgrade()
  prepareResponse(c, res)
  let ret: unknown
  try {
    ret = fn(nodeRequest(c), res)
  } catch (err) {
    x.fail(err)
    return
  }
  if (isThenable(ret)) x.watch(ret)
  // A handler that hijacked before it returned (the Upgrader does, synchronously) is done as far as the router is
  // concerned: the chain goes on in this turn, without a Promise and an async step for every middleware around it.
  if (x.isSettled()) return
  return x.wait()
}

/**
 * Readies `res` for a wrapped Node function: it says `Server: hertz` unless the engine was told not to (Hertz
 * sets it on the response before any handler runs, so an adapted handler answers with it too, and its own
 * `setHeader('Server', ...)` wins), the headers earlier middleware set carry over, a response during graceful
 * shutdown says `Connection: close` (as the router's own do), and pipes into it are watched.
 *
 * An upgrade request's `res` gets no default Server: its answer is nearly always the 101 an upgrader writes on
 * the taken socket, which carries none (gorilla's does not either), and at a fixed rate of handshakes the
 * header cost about 1 % of the server's CPU per handshake for the rare refusal that would have shown it.
 *
 * @param c - the request context
 * @param res - the response about to be handed over
 */
export function prepareResponse (c: RequestContext, res: ServerResponse): void {
  if (!c.engine.options.disableDefaultServerHeader && !c.isUpgrade()) setServerHeader(res)
  carryHeaders(c.response.header, res)
  if (c.engine.isClosing()) res.shouldKeepAlive = false
  watchPipes(res)
}

/** Short description of a bad argument for error messages. */
export function typeOf (v: unknown): string {
  return v === null ? 'null' : typeof v
}
