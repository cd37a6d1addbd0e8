/**
 * Every error the router throws or rejects with is a {@link HertzError} carrying one of these stable codes.
 * Match on `err.code`, never on the message text.
 */
export const ErrorCodes = {
  /** A route pattern is malformed (empty, no leading slash, bad parameter or catch-all). */
  HERTZ_ERR_BAD_ROUTE: 'HERTZ_ERR_BAD_ROUTE',
  /** A route collides with one registered before it. */
  HERTZ_ERR_ROUTE_CONFLICT: 'HERTZ_ERR_ROUTE_CONFLICT',
  /** An HTTP method name is not one Node can receive. */
  HERTZ_ERR_BAD_METHOD: 'HERTZ_ERR_BAD_METHOD',
  /** A server option got a value it cannot use. */
  HERTZ_ERR_BAD_OPTION: 'HERTZ_ERR_BAD_OPTION',
  /** A handler argument is not a function. */
  HERTZ_ERR_BAD_HANDLER: 'HERTZ_ERR_BAD_HANDLER',
  /** `run()` was called on an engine that already ran. */
  HERTZ_ERR_ALREADY_RUNNING: 'HERTZ_ERR_ALREADY_RUNNING',
  /** `shutdown()` / `address()` on an engine that is not running. */
  HERTZ_ERR_NOT_RUNNING: 'HERTZ_ERR_NOT_RUNNING',
  /** Binding the listening socket failed; `cause` holds the system error. */
  HERTZ_ERR_LISTEN: 'HERTZ_ERR_LISTEN',
  /** The request body is larger than the configured maximum. */
  HERTZ_ERR_BODY_TOO_LARGE: 'HERTZ_ERR_BODY_TOO_LARGE',
  /** The client went away before the request body was complete. */
  HERTZ_ERR_BODY_ABORTED: 'HERTZ_ERR_BODY_ABORTED',
  /** `mustGet(key)` found no value under that key. */
  HERTZ_ERR_KEY_NOT_FOUND: 'HERTZ_ERR_KEY_NOT_FOUND',
  /** `hijack()` on a request whose socket cannot be handed over (not an upgrade request). */
  HERTZ_ERR_NOT_HIJACKABLE: 'HERTZ_ERR_NOT_HIJACKABLE',
  /** A hijacked conn was used after it was closed. */
  HERTZ_ERR_HIJACK_CONN_CLOSED: 'HERTZ_ERR_HIJACK_CONN_CLOSED',
  /** A pooled hijacked conn was used after the router released it. */
  HERTZ_ERR_HIJACK_CONN_RELEASED: 'HERTZ_ERR_HIJACK_CONN_RELEASED',
  /** A read on a hijacked conn did not complete within its read timeout. */
  HERTZ_ERR_READ_TIMEOUT: 'HERTZ_ERR_READ_TIMEOUT',
  /** A write on a hijacked conn did not complete within its write timeout. */
  HERTZ_ERR_WRITE_TIMEOUT: 'HERTZ_ERR_WRITE_TIMEOUT',
  /** The client closed the connection before the response was done (an `AbortSignal` reason). */
  HERTZ_ERR_CLIENT_CLOSED: 'HERTZ_ERR_CLIENT_CLOSED',
  /** The server was closed, or graceful shutdown ran out of time (an `AbortSignal` reason). */
  HERTZ_ERR_SERVER_CLOSED: 'HERTZ_ERR_SERVER_CLOSED',
  /** `register()` got something that is not a plugin function, or options it cannot use. */
  HERTZ_ERR_BAD_PLUGIN: 'HERTZ_ERR_BAD_PLUGIN',
  /** A plugin was registered after the plugins were loaded (the server already started). */
  HERTZ_ERR_PLUGIN_TOO_LATE: 'HERTZ_ERR_PLUGIN_TOO_LATE',
  /** A plugin did not finish loading within the plugin timeout. */
  HERTZ_ERR_PLUGIN_TIMEOUT: 'HERTZ_ERR_PLUGIN_TIMEOUT',
  /** A plugin threw or rejected while loading; `cause` holds its error. */
  HERTZ_ERR_PLUGIN_FAILED: 'HERTZ_ERR_PLUGIN_FAILED'
} as const

/** One of the string values of {@link ErrorCodes}. */
export type ErrorCode = typeof ErrorCodes[keyof typeof ErrorCodes]

/** The single error class of the router. `code` is stable; `cause` holds an underlying error when there is one. */
export class HertzError extends Error {
  /** Stable machine-readable code, one of {@link ErrorCodes}. */
  readonly code: ErrorCode

  /**
   * @param code one of {@link ErrorCodes}
   * @param message human-readable text
   * @param options `cause`: the underlying error, if any
   */
  constructor (code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HertzError'
    this.code = code
  }
}
