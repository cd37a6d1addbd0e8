import type { Context } from './types.js'

const NEVER = new AbortController().signal

class BackgroundContext implements Context {
  readonly signal: AbortSignal
  constructor (signal: AbortSignal) { this.signal = signal }
  value (_key: unknown): unknown { return undefined }
}

class ValueContext implements Context {
  private readonly parent: Context
  private readonly key: unknown
  private readonly val: unknown
  constructor (parent: Context, key: unknown, val: unknown) {
    this.parent = parent
    this.key = key
    this.val = val
  }

  get signal (): AbortSignal { return this.parent.signal }
  value (key: unknown): unknown { return key === this.key ? this.val : this.parent.value(key) }
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
