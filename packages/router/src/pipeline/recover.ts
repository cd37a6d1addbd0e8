import { HertzError, HertzErrorCode, logRecovered } from '../errors.js'
import type { HandlerFunc, RequestContext } from '../context/request-context.js'
import { kHijackHandler, kPeekRes, kStreaming } from '../symbols.js'
import { BindError } from '../binding/bind-error.js'
import type { ServingEngine } from './host.js'

// Errors escaping a chain: the recovery middleware (inside the chain) and the engine's last resort around it
// (serve.ts). Both turn the error into the answer the chain then ends with; neither writes it.

const CLIENT_ERRORS: ReadonlySet<string> = new Set([
  HertzErrorCode.BAD_MULTIPART, HertzErrorCode.MULTIPART_LIMIT, HertzErrorCode.NOT_MULTIPART, HertzErrorCode.MISSING_FILE
])

/**
 * The status an error escaping the chain is answered with: 413 for an oversized body, 400 for a bad or over-limit
 * multipart body (or a missing file) and for a request that failed binding or validation (a `BindError`), 500
 * otherwise.
 */
export function statusForError (err: unknown): number {
  if (err instanceof BindError) return 400
  if (!(err instanceof HertzError)) return 500
  if (err.code === HertzErrorCode.BODY_TOO_LARGE) return 413
  return CLIENT_ERRORS.has(err.code) ? 400 : 500
}

/**
 * Logs `err` and aborts `c` with the matching status (what `Default`'s recovery middleware does). The answer is a
 * fresh one: headers set before the error (a 101's `Upgrade`, say) are dropped, and so is a recorded hijack
 * handler, which must not run after an error. Once the head is on the wire (`c.flush()`, or a handler wrote to
 * `c.res`) no status can be sent any more, and ending the body normally would pass a truncated response off as
 * complete: the connection is cut instead.
 */
export function recovered (c: RequestContext, err: unknown): void {
  // A request that failed its schema is the client's mistake, answered with what was wrong; nothing to log.
  const bad = err instanceof BindError
  if (!bad) logRecovered(c.engine.logger, err)
  c[kHijackHandler] = null
  c.abort()
  if (cutIfSent(c)) return
  const status = statusForError(err)
  c.response.reset()
  if (status === 413) c.setConnectionClose()
  c.response.setStatusCode(status)
  if (bad) c.json(400, err)
}

/** True once the response head is on the wire. */
function headSent (c: RequestContext): boolean {
  if (c[kStreaming]) return true
  const res = c[kPeekRes]()
  return res !== null && res.headersSent
}

/** Destroys the connection of a response whose head has gone out but whose body is unfinished; true if sent. */
function cutIfSent (c: RequestContext): boolean {
  if (!headSent(c)) return false
  const res = c[kPeekRes]()
  if (res !== null && !res.writableEnded) res.destroy()
  return true
}

/**
 * Middleware that turns a thrown error or rejected promise further down the chain into a logged 500 (a `BindError`
 * into a 400 with its issues as JSON; Hertz's
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
 * logged and answered as the recovery middleware would. Settles (never rejects) once the answer is decided; the
 * caller then writes it.
 */
export function recover (engine: ServingEngine, c: RequestContext, err: unknown): void | Promise<void> {
  try {
    if (engine.panicHandler !== null && !headSent(c)) {
      c[kHijackHandler] = null
      const r = engine.panicHandler(c, c)
      if (r !== undefined) return r.then(undefined, (e: unknown) => { logRecovered(engine.logger, e) })
    } else {
      recovered(c, err)
    }
  } catch (e) {
    logRecovered(engine.logger, e)
  }
}
