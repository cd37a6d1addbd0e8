import { PLAIN } from '../pipeline/write.js'
import type { RequestContext } from './request-context.js'
import type { Context, HandlerFunc, HandlersChain } from '../types.js'

/** Index beyond any chain: `abort()` moves the cursor here (Hertz's `AbortIndex`). */
const ABORT_INDEX = 0x3fffffff

function isThenable (v: unknown): v is PromiseLike<void> {
  return v !== undefined && v !== null && typeof (v as PromiseLike<void>).then === 'function'
}

async function nextAsync (c: RequestContext, pending: PromiseLike<void>, ctx: Context): Promise<void> {
  await pending
  const handlers = c.handlers_
  while (++c.index_ < handlers.length) {
    const r = (handlers[c.index_] as HandlerFunc)(ctx, c)
    if (isThenable(r)) await r
  }
}

/** Flow control of a {@link RequestContext}: running and stopping its handler chain. */
export class ContextFlow {
  /**
   * Runs the rest of the chain. Returns a Promise only when some handler did (await it either way: `await
   * c.next(ctx)`). Calling it again once the chain is done does nothing.
   */
  next (this: RequestContext, ctx: Context = this): void | Promise<void> {
    const handlers = this.handlers_
    while (++this.index_ < handlers.length) {
      const r = (handlers[this.index_] as HandlerFunc)(ctx, this)
      if (isThenable(r)) return nextAsync(this, r, ctx)
    }
  }

  /** Stops the remaining handlers from running (the current one carries on). */
  abort (this: RequestContext): void {
    this.index_ = ABORT_INDEX
  }

  /** True after {@link abort}. */
  isAborted (this: RequestContext): boolean {
    return this.index_ >= ABORT_INDEX
  }

  /** Sets the status code and aborts. */
  abortWithStatus (this: RequestContext, code: number): void {
    this.response.setStatusCode(code)
    this.abort()
  }

  /** Clears the response (headers included), answers `msg` as text/plain with `statusCode` and aborts. */
  abortWithMsg (this: RequestContext, msg: string, statusCode: number): void {
    this.response.reset()
    this.response.setStatusCode(statusCode)
    this.response.header.contentType = PLAIN
    this.response.setBody(msg)
    this.abort()
  }

  /** Aborts and answers `obj` as JSON with `code`. */
  abortWithStatusJSON (this: RequestContext, code: number, obj: unknown): void {
    this.abort()
    this.json(code, obj)
  }

  /** The handler chain. */
  handlers (this: RequestContext): HandlersChain {
    return this.handlers_
  }

  /** The last handler of the chain (the route's own handler). */
  handler (this: RequestContext): HandlerFunc | undefined {
    return this.handlers_[this.handlers_.length - 1]
  }
}
