import { HertzError, HertzErrorCode } from '../errors.js'

/** One field's problem: where it is (`tags`, `user.name`, `items.0`; '' for the whole value) and what is wrong. */
export interface FieldIssue {
  /** The field's path, its segments joined with `.`. */
  readonly path: string
  /** The validator's message. */
  readonly message: string
}

/**
 * What `c.bind*` and `c.validate` reject with: `code` is `HERTZ_ERR_BIND` when the request could not be read (a
 * malformed JSON body) and `HERTZ_ERR_VALIDATION` when the values failed the schema; `issues` lists each field's
 * problem. `server.Default` answers it 400 with `{ code, message, issues }` as JSON, without logging it.
 */
export class BindError extends HertzError {
  /** Each field's problem (empty for `HERTZ_ERR_BIND`). */
  readonly issues: readonly FieldIssue[]

  /**
   * @param code - `HertzErrorCode.BIND` or `HertzErrorCode.VALIDATION`
   * @param message - human-readable text
   * @param issues - each field's problem
   * @param options - `cause`: the underlying error, if any
   */
  constructor (code: typeof HertzErrorCode.BIND | typeof HertzErrorCode.VALIDATION, message: string,
    issues: readonly FieldIssue[] = [], options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'BindError'
    this.issues = issues
  }

  /** The body `server.Default` answers with. */
  toJSON (): {
    /** The error's `code`. */
    code: string
    /** The error's message. */
    message: string
    /** Each field's problem. */
    issues: readonly FieldIssue[]
  } {
    return { code: this.code, message: this.message, issues: this.issues }
  }
}
