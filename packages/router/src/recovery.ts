import { inspect } from 'node:util'
import { HertzError, ErrorCodes } from './errors.js'
import type { RequestContext } from './context.js'
import type { HandlerFunc } from './types.js'

/** Text for logs: the stack when there is one, else an inspection of the value. */
export function describeError (err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`
  return inspect(err)
}

/** The status an error escaping the chain is answered with: 413 for an oversized body, 500 otherwise. */
export function statusForError (err: unknown): number {
  return err instanceof HertzError && err.code === ErrorCodes.HERTZ_ERR_BODY_TOO_LARGE ? 413 : 500
}

/** Logs `err` and aborts `c` with the matching status (what `Default`'s recovery middleware does). */
export function recovered (c: RequestContext, err: unknown): void {
  c.engine.logger.error(`[Recovery] err=${err instanceof Error ? err.message : String(err)}\nstack=${describeError(err)}`)
  const status = statusForError(err)
  if (status === 413) c.setConnectionClose()
  c.abortWithStatus(status)
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
