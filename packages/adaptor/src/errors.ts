/**
 * Every error the adaptor raises is an {@link AdaptorError} whose `code` is one of
 * {@link AdaptorErrorCode}. Codes are stable API: match on `err.code`, never on the message.
 */
export const AdaptorErrorCode = {
  /** The response was already hijacked: the socket belongs to someone else (Go's `http.ErrHijacked`). */
  HIJACKED: 'ADAPTOR_ERR_HIJACKED',
  /** The response has no socket that can be handed over (a plain keep-alive HTTP response). */
  NOT_HIJACKABLE: 'ADAPTOR_ERR_NOT_HIJACKABLE',
  /** A wrapped Node handler or middleware is not a function. */
  BAD_HANDLER: 'ADAPTOR_ERR_BAD_HANDLER',
  /** `toNodeHandler()` / `toNodeUpgradeHandler()` got something that is not a router engine. */
  BAD_ENGINE: 'ADAPTOR_ERR_BAD_ENGINE'
} as const

/** Union of every adaptor error code. */
export type AdaptorErrorCode = (typeof AdaptorErrorCode)[keyof typeof AdaptorErrorCode]

/** The one error class of `@hertz-node/adaptor`. */
export class AdaptorError extends Error {
  override readonly name = 'AdaptorError'
  /** Stable machine-readable code, `ADAPTOR_ERR_*`. */
  readonly code: AdaptorErrorCode

  /**
   * @param code - one of {@link AdaptorErrorCode}
   * @param message - human-readable text; kept identical to Hertz's where Hertz users grep for it
   * @param options - standard `ErrorOptions` (`cause`)
   */
  constructor (code: AdaptorErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

/**
 * An error as a log line needs it: the stack (or the value), then its `cause` chain, which is where a failed
 * plugin's own error is.
 *
 * @param err - anything that was thrown
 */
export function describeError (err: unknown): string {
  let text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err)
  let cause = err instanceof Error ? err.cause : undefined
  for (let depth = 0; cause !== undefined && depth < 8; depth++) {
    text += `\ncaused by: ${cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause)}`
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return text
}
