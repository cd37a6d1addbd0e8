import type { RequestContext } from './context/request-context.js'

/**
 * The Go `context.Context` counterpart handed to every handler: a cancellation signal plus request-scoped values.
 * `signal` aborts when the client goes away, on `h.close()`, or when graceful shutdown runs out of time; for a
 * request it is created on first access, so handlers that never read it pay nothing.
 */
export interface Context {
  /** Aborted when the work this context belongs to should stop. */
  readonly signal: AbortSignal
  /** The value stored under `key` by this context or one it derives from (Go's `ctx.Value(key)`). */
  value (key: unknown): unknown
}

/** A handler or middleware, as in Hertz: `func(ctx context.Context, c *app.RequestContext)`. */
export type HandlerFunc = (ctx: Context, c: RequestContext) => void | Promise<void>

/** Handler chain: group middleware followed by route handlers. */
export type HandlersChain = readonly HandlerFunc[]

/** Lifecycle hook run by `h.run()` before listening; a rejection aborts the start. */
export type CtxErrCallback = (ctx: Context) => void | Promise<void>

/** Lifecycle hook run (concurrently with the others) by `h.shutdown()`; `ctx.signal` aborts at the exit wait time. */
export type CtxCallback = (ctx: Context) => void | Promise<void>

/** Minimal logger the engine writes to (`console` fits). */
export interface Logger {
  info (...args: unknown[]): void
  warn (...args: unknown[]): void
  error (...args: unknown[]): void
}
