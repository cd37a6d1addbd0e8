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

/** Lifecycle hook run by `h.run()` before listening; a rejection aborts the start. */
export type CtxErrCallback = (ctx: Context) => void | Promise<void>

/** Lifecycle hook run (concurrently with the others) by `h.shutdown()`; `ctx.signal` aborts at the exit wait time. */
export type CtxCallback = (ctx: Context) => void | Promise<void>

const NEVER = new AbortController().signal

class BackgroundContext implements Context {
  readonly signal: AbortSignal
  constructor (signal: AbortSignal) { this.signal = signal }
  value (_key: unknown): unknown { return undefined }
}

class ValueContext implements Context {
  readonly #parent: Context
  readonly #key: unknown
  readonly #val: unknown
  constructor (parent: Context, key: unknown, val: unknown) {
    this.#parent = parent
    this.#key = key
    this.#val = val
  }

  get signal (): AbortSignal { return this.#parent.signal }
  value (key: unknown): unknown { return key === this.#key ? this.#val : this.#parent.value(key) }
}

const BACKGROUND = new BackgroundContext(NEVER)

/** A context that is never aborted and holds no values (Go's `context.Background()`). */
export function background (): Context {
  return BACKGROUND
}

/** A context aborted with `signal` and holding no values. */
export function contextWithSignal (signal: AbortSignal): Context {
  return new BackgroundContext(signal)
}

/** A child of `parent` that also carries `key -> val` (Go's `context.WithValue`). Pass it on with `c.next(ctx)`. */
export function withValue (parent: Context, key: unknown, val: unknown): Context {
  return new ValueContext(parent, key, val)
}
