import { inspect } from 'node:util'
import { HertzError, ErrorCodes } from '../errors.js'
import { sendResponse } from './write.js'
import { complete } from './serve.js'
import type { RequestContext } from '../context/request-context.js'
import type { Engine } from '../server/engine.js'
import type { HandlerFunc, Logger } from '../types.js'

/** Text for logs: the stack when there is one, else an inspection of the value. */
export function describeError (err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`
  return inspect(err)
}

/** The status an error escaping the chain is answered with: 413 for an oversized body, 500 otherwise. */
export function statusForError (err: unknown): number {
  return err instanceof HertzError && err.code === ErrorCodes.HERTZ_ERR_BODY_TOO_LARGE ? 413 : 500
}

/** Logs an error that was caught on its way out of a chain, the way Hertz's recovery prints it. */
export function logRecovered (logger: Logger, err: unknown): void {
  logger.error(`[Recovery] err=${err instanceof Error ? err.message : String(err)}\nstack=${describeError(err)}`)
}

/**
 * Logs `err` and aborts `c` with the matching status (what `Default`'s recovery middleware does). The answer is a
 * fresh one: headers set before the error (a 101's `Upgrade`, say) are dropped, and so is a recorded hijack
 * handler, which must not run after an error. Once the head is on the wire (`c.flush()`, or a handler wrote to
 * `c.res`) no status can be sent any more, and ending the body normally would pass a truncated response off as
 * complete: the connection is cut instead.
 */
export function recovered (c: RequestContext, err: unknown): void {
  logRecovered(c.engine.logger, err)
  c.hijackHandler = null
  c.abort()
  if (cutIfSent(c)) return
  const status = statusForError(err)
  c.response.reset()
  if (status === 413) c.setConnectionClose()
  c.response.setStatusCode(status)
}

/** True once the response head is on the wire. */
function headSent (c: RequestContext): boolean {
  if (c.streaming) return true
  const res = c.peekRes()
  return res !== null && res.headersSent
}

/** Destroys the connection of a response whose head has gone out but whose body is unfinished; true if sent. */
function cutIfSent (c: RequestContext): boolean {
  if (!headSent(c)) return false
  const res = c.peekRes()
  if (res !== null && !res.writableEnded) res.destroy()
  return true
}

/**
 * Middleware that turns a thrown error or rejected promise further down the chain into a logged 500 (Hertz's
 * `recovery.Recovery()`, installed by `server.Default`). The chain stops and the server keeps serving.
 */
export function recovery (): HandlerFunc {
  return function recoveryMiddleware (ctx, c) {
    try {
      const r = c.next(ctx)
      if (r !== undefined) return r.then(undefined, (err: unknown) => { recovered(c, err) })
    } catch (err) {
      recovered(c, err)
    }
  }
}

/**
 * An error escaped the chain (no recovery middleware caught it): the engine's `panicHandler` answers, or else it is
 * logged and answered as the recovery middleware would. Then the answer is written. Never rejects.
 */
export function recover (engine: Engine, c: RequestContext, err: unknown): Promise<void> {
  try {
    if (engine.panicHandler !== null && !headSent(c)) {
      c.hijackHandler = null
      const r = engine.panicHandler(c, c)
      if (r !== undefined) {
        return r.then(() => complete(engine, c), (e: unknown) => { logRecovered(engine.logger, e); return complete(engine, c) })
      }
    } else {
      recovered(c, err)
    }
  } catch (e) {
    logRecovered(engine.logger, e)
  }
  return complete(engine, c)
}

/** Writes the buffered response; if that throws (bad header, bad status), answers a bare 500 instead. */
export function sendSafely (c: RequestContext): void {
  try {
    sendResponse(c)
  } catch (err) {
    sendFallback(c, err)
  }
}

/** Writing the answer threw: log it, then a bare 500 if the head has not gone out, else cut the connection. */
function sendFallback (c: RequestContext, err: unknown): void {
  logRecovered(c.engine.logger, err)
  const res = c.res
  if (res.headersSent) { res.destroy(); return }
  c.response.reset()
  c.response.setStatusCode(500)
  c.response.setBody('Internal Server Error')
  try { sendResponse(c) } catch { res.destroy() }
}
