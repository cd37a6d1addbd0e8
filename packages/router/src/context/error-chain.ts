import { inspect } from 'node:util'

/** Kinds of a {@link ContextError}, bit flags as Hertz's `errors.ErrorType` (same values). */
export type ErrorType = number
/** Raised by binding. */
export const ErrorTypeBind: ErrorType = 1
/** Raised by rendering. */
export const ErrorTypeRender: ErrorType = 2
/** Internal; the type `c.error(err)` gives a plain error. */
export const ErrorTypePrivate: ErrorType = 4
/** Fit to show to the client. */
export const ErrorTypePublic: ErrorType = 8
/** Matches every type in `errors.byType`. */
export const ErrorTypeAny: ErrorType = 16

/**
 * An error recorded on a request with `c.error(err)` (Hertz's `errors.Error`; named ContextError since `Error` is
 * JavaScript's own): the error, its type and free-form metadata.
 */
export class ContextError extends Error {
  /** The error recorded. */
  err: Error
  /** Its type flags. */
  type: ErrorType
  /** Metadata, undefined when none (Go's nil). */
  meta: unknown

  /**
   * @param err - the error recorded
   * @param type - its type flags (default {@link ErrorTypePrivate})
   * @param meta - metadata
   */
  constructor (err: Error, type: ErrorType = ErrorTypePrivate, meta?: unknown) {
    super(err.message, { cause: err })
    this.name = 'ContextError'
    this.err = err
    this.type = type
    this.meta = meta
  }

  /** Sets the type; returns this (Go's `SetType`). */
  setType (flags: ErrorType): this {
    this.type = flags
    return this
  }

  /** Sets the metadata; returns this (Go's `SetMeta`). */
  setMeta (data: unknown): this {
    this.meta = data
    return this
  }

  /** True when the type has any of `flags`. */
  isType (flags: ErrorType): boolean {
    return (this.type & flags) > 0
  }

  /** The error's text (Go's `Error()`). */
  error (): string {
    return this.err.message
  }

  /** A JSON-ready view: an object meta's keys plus `error`, or `{ meta, error }` (Go's `JSON()`). */
  json (): unknown {
    const m = this.meta
    const out: Record<string, unknown> = {}
    if (m !== undefined && m !== null) {
      if (typeof m === 'object' && !Array.isArray(m)) {
        if (!(m instanceof Map) && Object.getPrototypeOf(m) !== Object.prototype && Object.getPrototypeOf(m) !== null) return m
        for (const [k, v] of m instanceof Map ? m : Object.entries(m)) out[String(k)] = v
      } else {
        out.meta = m
      }
    }
    if (!('error' in out)) out.error = this.error()
    return out
  }
}

/** The errors recorded on a request, in order (Hertz's `errors.ErrorChain`). */
export class ErrorChain extends Array<ContextError> {
  /** Every error's text (Go's `Errors()`; empty when none). */
  errors (): string[] {
    return Array.from(this, e => e.error())
  }

  /** The errors with any of the type flags `typ` (all of them for {@link ErrorTypeAny}). */
  byType (typ: ErrorType): ErrorChain {
    const out = new ErrorChain()
    for (const e of this) if (typ === ErrorTypeAny || e.isType(typ)) out.push(e)
    return out
  }

  /** The last error, or undefined. */
  last (): ContextError | undefined {
    return this[this.length - 1]
  }

  /** `Error #01: first error\n` lines, with `     Meta: ...` after an error that has metadata (Go's `String()`). */
  override toString (): string {
    let s = ''
    this.forEach((e, i) => {
      s += `Error #${String(i + 1).padStart(2, '0')}: ${e.error()}\n`
      if (e.meta !== undefined && e.meta !== null) s += `     Meta: ${typeof e.meta === 'string' ? e.meta : inspect(e.meta)}\n`
    })
    return s
  }

  /** Go's `JSON()`: null when empty, the one error's view, or an array of views. */
  json (): unknown {
    if (this.length === 0) return null
    if (this.length === 1) return (this[0] as ContextError).json()
    return Array.from(this, e => e.json())
  }

  static override get [Symbol.species] (): ArrayConstructor {
    return Array
  }
}
