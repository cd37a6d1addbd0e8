import { inspect } from 'node:util'

/**
 * Every error the router throws or rejects with is a {@link HertzError} carrying one of these stable codes (the
 * same naming scheme as `AdaptorErrorCode` and `WsCompatErrorCode`: a short key, a prefixed string value). Match on
 * `err.code === HertzErrorCode.BAD_ROUTE`, never on the message text.
 */
export const HertzErrorCode = {
  /** A route pattern is malformed (empty, no leading slash, bad parameter or catch-all). */
  BAD_ROUTE: 'HERTZ_ERR_BAD_ROUTE',
  /** A route collides with one registered before it. */
  ROUTE_CONFLICT: 'HERTZ_ERR_ROUTE_CONFLICT',
  /** An HTTP method name is not one Node can receive. */
  BAD_METHOD: 'HERTZ_ERR_BAD_METHOD',
  /** A server option got a value it cannot use. */
  BAD_OPTION: 'HERTZ_ERR_BAD_OPTION',
  /** A handler argument is not a function. */
  BAD_HANDLER: 'HERTZ_ERR_BAD_HANDLER',
  /** `run()` was called on an engine that already ran. */
  ALREADY_RUNNING: 'HERTZ_ERR_ALREADY_RUNNING',
  /** `shutdown()` / `address()` on an engine that is not running. */
  NOT_RUNNING: 'HERTZ_ERR_NOT_RUNNING',
  /** Binding the listening socket failed; `cause` holds the system error. */
  LISTEN: 'HERTZ_ERR_LISTEN',
  /** The request body is larger than the configured maximum. */
  BODY_TOO_LARGE: 'HERTZ_ERR_BODY_TOO_LARGE',
  /** The client went away before the request body was complete. */
  BODY_ABORTED: 'HERTZ_ERR_BODY_ABORTED',
  /** A multipart body is malformed (answered 400 when it escapes a handler). */
  BAD_MULTIPART: 'HERTZ_ERR_BAD_MULTIPART',
  /** A multipart body has more parts, files or field bytes than the multipart limits allow (answered 400). */
  MULTIPART_LIMIT: 'HERTZ_ERR_MULTIPART_LIMIT',
  /** The request is not `multipart/form-data` with a boundary (answered 400). */
  NOT_MULTIPART: 'HERTZ_ERR_NOT_MULTIPART',
  /** `formFile(name)` found no file under that name (answered 400). */
  MISSING_FILE: 'HERTZ_ERR_MISSING_FILE',
  /** A cookie name, value, path or domain holds characters a Set-Cookie header cannot carry. */
  BAD_COOKIE: 'HERTZ_ERR_BAD_COOKIE',
  /** `mustGet(key)` found no value under that key. */
  KEY_NOT_FOUND: 'HERTZ_ERR_KEY_NOT_FOUND',
  /** `hijack()` on a request whose socket cannot be handed over (not an upgrade request). */
  NOT_HIJACKABLE: 'HERTZ_ERR_NOT_HIJACKABLE',
  /** A hijacked conn was used after it was closed. */
  HIJACK_CONN_CLOSED: 'HERTZ_ERR_HIJACK_CONN_CLOSED',
  /** A pooled hijacked conn was used after the router released it. */
  HIJACK_CONN_RELEASED: 'HERTZ_ERR_HIJACK_CONN_RELEASED',
  /** A read on a hijacked conn did not complete within its read timeout. */
  READ_TIMEOUT: 'HERTZ_ERR_READ_TIMEOUT',
  /** A write on a hijacked conn did not complete within its write timeout. */
  WRITE_TIMEOUT: 'HERTZ_ERR_WRITE_TIMEOUT',
  /** The client closed the connection before the response was done (an `AbortSignal` reason). */
  CLIENT_CLOSED: 'HERTZ_ERR_CLIENT_CLOSED',
  /** The server was closed, or graceful shutdown ran out of time (an `AbortSignal` reason). */
  SERVER_CLOSED: 'HERTZ_ERR_SERVER_CLOSED',
  /** `register()` got something that is not a plugin function, or options it cannot use. */
  BAD_PLUGIN: 'HERTZ_ERR_BAD_PLUGIN',
  /** A plugin was registered after the plugins were loaded (the server already started). */
  PLUGIN_TOO_LATE: 'HERTZ_ERR_PLUGIN_TOO_LATE',
  /** A plugin did not finish loading within the plugin timeout. */
  PLUGIN_TIMEOUT: 'HERTZ_ERR_PLUGIN_TIMEOUT',
  /** A plugin threw or rejected while loading; `cause` holds its error. */
  PLUGIN_FAILED: 'HERTZ_ERR_PLUGIN_FAILED',
  /** Binding could not read the request (a malformed JSON body, say): a `BindError`, answered 400 by `Default`. */
  BIND: 'HERTZ_ERR_BIND',
  /** The bound values failed the schema: a `BindError` listing each field's problem, answered 400 by `Default`. */
  VALIDATION: 'HERTZ_ERR_VALIDATION',
  /** `c.html()` named a template that was not loaded, or no templates were loaded. */
  TEMPLATE_NOT_FOUND: 'HERTZ_ERR_TEMPLATE_NOT_FOUND'
} as const

/** One of the string values of {@link HertzErrorCode}. */
export type HertzErrorCode = typeof HertzErrorCode[keyof typeof HertzErrorCode]

/** @deprecated the former name of the {@link HertzErrorCode} type. */
export type ErrorCode = HertzErrorCode

type LegacyCodes = { readonly [K in keyof typeof HertzErrorCode as `HERTZ_ERR_${K}`]: typeof HertzErrorCode[K] }

/**
 * @deprecated the former spelling of the codes, keyed by their full value (`ErrorCodes.HERTZ_ERR_BAD_ROUTE`); use
 * {@link HertzErrorCode} (`HertzErrorCode.BAD_ROUTE`, the same string).
 */
export const ErrorCodes: LegacyCodes = Object.freeze(Object.fromEntries(
  Object.values(HertzErrorCode).map(code => [code, code])
)) as LegacyCodes

/** The single error class of the router. `code` is stable; `cause` holds an underlying error when there is one. */
export class HertzError extends Error {
  /** Stable machine-readable code, one of {@link HertzErrorCode}. */
  readonly code: HertzErrorCode

  /**
   * @param code one of {@link HertzErrorCode}
   * @param message human-readable text
   * @param options `cause`: the underlying error, if any
   */
  constructor (code: HertzErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HertzError'
    this.code = code
  }
}

/** Minimal logger the engine writes to (`console` fits). */
export interface Logger {
  /** Start, shutdown and signal messages. */
  info (...args: unknown[]): void
  /** Something went wrong that the server recovered from on its own. */
  warn (...args: unknown[]): void
  /** A failure: a handler that threw, a hook that failed, a server that could not start. */
  error (...args: unknown[]): void
}

const MAX_CAUSES = 8

function describeOne (err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`
  return inspect(err)
}

/**
 * An error as a log line needs it: the stack (or an inspection of a value that is not an Error), then its `cause`
 * chain, which is where a failed plugin's own error is. Shared by the router, the adaptor and ws-compat.
 *
 * @param err - anything that was thrown
 */
export function formatError (err: unknown): string {
  let text = describeOne(err)
  let cause = err instanceof Error ? err.cause : undefined
  for (let depth = 0; cause !== undefined && depth < MAX_CAUSES; depth++) {
    text += `\ncaused by: ${describeOne(cause)}`
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return text
}

/** Logs an error that was caught on its way out of a chain, the way Hertz's recovery prints it. */
export function logRecovered (logger: Logger, err: unknown): void {
  logger.error(`[Recovery] err=${err instanceof Error ? err.message : String(err)}\nstack=${formatError(err)}`)
}
