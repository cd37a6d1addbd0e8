import { resolve as resolvePath } from 'node:path'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { Context } from '../go-context.js'
import type { HijackHandler } from '../hijack/hijack-conn.js'
import { PLAIN } from '../pipeline/write.js'
import { sendFile } from '../routing/static.js'
import { kHandlers, kHijackHandler, kIndex, kUpgradeSocket } from '../symbols.js'
import { ContextBind } from './bind.js'

/** A handler or middleware, as in Hertz: `func(ctx context.Context, c *app.RequestContext)`. */
export type HandlerFunc = (ctx: Context, c: RequestContext) => void | Promise<void>

/** Handler chain: group middleware followed by route handlers. */
export type HandlersChain = readonly HandlerFunc[]

const NO_HANDLERS: HandlersChain = []

/** Index beyond any chain: `abort()` moves the cursor here (Hertz's `AbortIndex`). */
const ABORT_INDEX = 0x3fffffff

/**
 * True for anything `await` would wait on (a Promise or any other thenable). The router, the adaptor and ws-compat
 * use it to tell a function that answered at once from one that answers later.
 */
export function isThenable (v: unknown): v is PromiseLike<unknown> {
  return v !== undefined && v !== null && typeof (v as PromiseLike<unknown>).then === 'function'
}

async function nextAsync (c: RequestContext, pending: PromiseLike<unknown>, ctx: Context): Promise<void> {
  await pending
  const handlers = c[kHandlers]
  while (++c[kIndex] < handlers.length) {
    const r = (handlers[c[kIndex]] as HandlerFunc)(ctx, c)
    if (isThenable(r)) await r
  }
}

/**
 * The per-request context handed to every handler (Hertz's `app.RequestContext`). It also implements
 * {@link Context}: the `ctx` a chain starts with is the request context itself, so no second object is made.
 *
 * Its methods come in layers, one file each: ContextCore (core.ts: state, raw Node access, keys), ContextInput
 * (input.ts: the request), ContextOutput (output.ts: the response), and this class: the chain and hijack.
 */
export class RequestContext extends ContextBind {
  /** The chain being run (shared empty until a chain is installed: no array per request). */
  [kHandlers]: HandlersChain = NO_HANDLERS
  /** Position in the chain. */
  ;[kIndex] = -1
  /** The hijack handler recorded by `hijack()`. */
  ;[kHijackHandler]: HijackHandler | null = null

  // ---- the chain --------------------------------------------------------------------------------------------

  /**
   * Runs the rest of the chain. Returns a Promise only when some handler did (await it either way: `await
   * c.next(ctx)`). Calling it again once the chain is done does nothing.
   */
  next (ctx: Context = this): void | Promise<void> {
    const handlers = this[kHandlers]
    while (++this[kIndex] < handlers.length) {
      const r = (handlers[this[kIndex]] as HandlerFunc)(ctx, this)
      if (isThenable(r)) return nextAsync(this, r, ctx)
    }
  }

  /** Stops the remaining handlers from running (the current one carries on). */
  abort (): void {
    this[kIndex] = ABORT_INDEX
  }

  /** True after {@link abort}. */
  isAborted (): boolean {
    return this[kIndex] >= ABORT_INDEX
  }

  /** Sets the status code and aborts. */
  abortWithStatus (code: number): void {
    this.response.setStatusCode(code)
    this.abort()
  }

  /** Clears the response (headers included), answers `msg` as text/plain with `statusCode` and aborts. */
  abortWithMsg (msg: string, statusCode: number): void {
    this.response.reset()
    this.response.setStatusCode(statusCode)
    this.response.header.contentType = PLAIN
    this.response.setBody(msg)
    this.abort()
  }

  /** Aborts and answers `obj` as JSON with `code`. */
  abortWithStatusJSON (code: number, obj: unknown): void {
    this.abort()
    this.json(code, obj)
  }

  /** The handler chain. */
  handlers (): HandlersChain {
    return this[kHandlers]
  }

  /** The last handler of the chain (the route's own handler). */
  handler (): HandlerFunc | undefined {
    const handlers = this[kHandlers]
    return handlers[handlers.length - 1]
  }

  /** Answers with the file at `filepath` (type, length, Last-Modified, 304, 403 for directories, 404 when missing). */
  file (filepath: string): Promise<void> {
    return sendFile(this, resolvePath(filepath))
  }

  // ---- hijack -----------------------------------------------------------------------------------------------

  /**
   * Records `handler` to run with the raw connection once the chain ends and the response head (e.g. a 101) has
   * been written. Only an upgrade request can be hijacked: anything else throws `HERTZ_ERR_NOT_HIJACKABLE`.
   */
  hijack (handler: HijackHandler): void {
    if (typeof handler !== 'function') throw new HertzError(HertzErrorCode.BAD_HANDLER, 'hijack handler must be a function')
    if (this[kUpgradeSocket] === null) {
      throw new HertzError(HertzErrorCode.NOT_HIJACKABLE,
        'only an upgrade request can be hijacked (the server must route \'upgrade\' events to h.handleUpgrade)')
    }
    this[kHijackHandler] = handler
  }

  /** True once {@link hijack} has been called. */
  hijacked (): boolean {
    return this[kHijackHandler] !== null
  }
}
