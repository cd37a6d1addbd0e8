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
  /** The deprecated `toNodeHandler()` / `toNodeUpgradeHandler()` of the adaptor got something that is not a router engine. */
  BAD_ENGINE: 'ADAPTOR_ERR_BAD_ENGINE'
} as const

/** Union of every adaptor error code. */
export type AdaptorErrorCode = (typeof AdaptorErrorCode)[keyof typeof AdaptorErrorCode]

/** The one error class of `@hertz-node/adaptor`. */
export class AdaptorError extends Error {
  /** Always `'AdaptorError'`. */
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
