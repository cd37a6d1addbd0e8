/**
 * Every error this package raises, apart from {@link CloseError} (see close-error.ts), is a
 * {@link WsCompatError} whose `code` is one of {@link WsCompatErrorCode}. Codes are stable API: match on
 * `err.code`. Messages keep gorilla/websocket's text where gorilla users grep for it.
 */
export const WsCompatErrorCode = {
  /** A write after a close frame was sent (gorilla's `ErrCloseSent`). */
  CLOSE_SENT: 'WS_COMPAT_ERR_CLOSE_SENT',
  /** A message larger than `setReadLimit`; the peer got close 1009 (gorilla's `ErrReadLimit`). */
  READ_LIMIT: 'WS_COMPAT_ERR_READ_LIMIT',
  /** The client's handshake got an unusable answer (gorilla's `ErrBadHandshake`); carries `response`. */
  BAD_HANDSHAKE: 'WS_COMPAT_ERR_BAD_HANDSHAKE',
  /** A server-side handshake refusal (gorilla's `HandshakeError`); carries `status`. */
  HANDSHAKE: 'WS_COMPAT_ERR_HANDSHAKE',
  /** The handshake (the `Dialer`'s, or the `Upgrader`'s write of the 101) overran `handshakeTimeout`. */
  HANDSHAKE_TIMEOUT: 'WS_COMPAT_ERR_HANDSHAKE_TIMEOUT',
  /** The server answered with extension parameters this side cannot honour. */
  INVALID_COMPRESSION: 'WS_COMPAT_ERR_INVALID_COMPRESSION',
  /** `setCompressionLevel` got a level outside -2..9. */
  INVALID_COMPRESSION_LEVEL: 'WS_COMPAT_ERR_INVALID_COMPRESSION_LEVEL',
  /** The dial URL is not a `ws:`/`wss:` URL without user info. */
  MALFORMED_URL: 'WS_COMPAT_ERR_MALFORMED_URL',
  /** A request header the dialer sets itself was passed in (gorilla's "duplicate header not allowed"). */
  DUPLICATE_HEADER: 'WS_COMPAT_ERR_DUPLICATE_HEADER',
  /** The read deadline (or the net conn's read timeout) passed while waiting for a message. */
  READ_TIMEOUT: 'WS_COMPAT_ERR_READ_TIMEOUT',
  /**
   * A write refused because the connection's write queue (bytes written but not yet taken by the kernel) would
   * exceed `maxWriteQueueBytes`. Nothing was sent; the connection stays usable.
   */
  WRITE_QUEUE_FULL: 'WS_COMPAT_ERR_WRITE_QUEUE_FULL',
  /** The write deadline (or the net conn's write timeout) passed before the socket took the data. */
  WRITE_TIMEOUT: 'WS_COMPAT_ERR_WRITE_TIMEOUT',
  /** A message type that cannot be written (gorilla's `errBadWriteOpCode`). */
  BAD_WRITE_OPCODE: 'WS_COMPAT_ERR_BAD_WRITE_OPCODE',
  /** A control frame that is fragmented or over 125 bytes (gorilla's `errInvalidControlFrame`). */
  INVALID_CONTROL_FRAME: 'WS_COMPAT_ERR_INVALID_CONTROL_FRAME',
  /** A write to a message writer that is already closed (gorilla's `errWriteClosed`). */
  WRITE_CLOSED: 'WS_COMPAT_ERR_WRITE_CLOSED',
  /**
   * A message came in more frames than `maxFragments`, or a frame in more socket chunks than
   * `maxBufferedChunks`; the peer got close 1008.
   */
  FRAGMENT_LIMIT: 'WS_COMPAT_ERR_FRAGMENT_LIMIT',
  /** The peer broke the framing protocol; it got close 1002. */
  PROTOCOL: 'WS_COMPAT_ERR_PROTOCOL',
  /** A text message or close reason that is not UTF-8; the peer got close 1007. */
  INVALID_UTF8: 'WS_COMPAT_ERR_INVALID_UTF8',
  /** The connection was closed locally (`close()`), or the socket was gone before a write. */
  CONN_CLOSED: 'WS_COMPAT_ERR_CONN_CLOSED',
  /** The socket failed (reset, broken pipe); `cause` holds the system error. */
  NET: 'WS_COMPAT_ERR_NET',
  /** `readJSON` got a message that is not JSON, or `writeJSON` a value that has no JSON form. */
  INVALID_JSON: 'WS_COMPAT_ERR_INVALID_JSON',
  /** An argument has the wrong type or range. */
  INVALID_ARGUMENT: 'WS_COMPAT_ERR_INVALID_ARGUMENT',
} as const

/**
 * The `code` of the `DeprecationWarning` the deprecated hijack-based `HertzUpgrader` emits. A warning, not
 * an error: hence its own constant, outside {@link WsCompatErrorCode}.
 */
export const HertzUpgraderDeprecationCode = 'WS_COMPAT_DEP_HERTZ_UPGRADER'

/** Union of every ws-compat error code. */
export type WsCompatErrorCode = (typeof WsCompatErrorCode)[keyof typeof WsCompatErrorCode]

/** The one error class of `@hertz-node/ws-compat` (close frames excepted: see `CloseError`). */
export class WsCompatError extends Error {
  /** `'WsCompatError'`, or the name of the subclass. */
  override readonly name: string = 'WsCompatError'
  /** Stable machine-readable code, `WS_COMPAT_ERR_*`. */
  readonly code: WsCompatErrorCode
  /** `true` for deadline and timeout errors, as Go's `net.Error.Timeout()`. */
  readonly timeout: boolean
  /** The HTTP status a refused handshake was answered with (gorilla's `HandshakeError` status). */
  readonly status: number | undefined

  /**
   * @param code - one of {@link WsCompatErrorCode}
   * @param message - human-readable text; gorilla's where gorilla users grep for it
   * @param options - `cause`, `timeout` for deadline errors, `status` for handshake refusals
   */
  constructor (
    code: WsCompatErrorCode,
    message: string,
    options?: ErrorOptions & { timeout?: boolean; status?: number }
  ) {
    super(message, options)
    this.code = code
    this.timeout = options?.timeout ?? false
    this.status = options?.status
  }
}

/**
 * Returned when the application writes after sending a close frame. A shared instance, as gorilla's
 * sentinel, so `err === ErrCloseSent` works; comparing `err.code` works too.
 */
export const ErrCloseSent = new WsCompatError(WsCompatErrorCode.CLOSE_SENT, 'websocket: close sent')

/** Returned when a message is larger than the read limit. A shared instance, as gorilla's sentinel. */
export const ErrReadLimit = new WsCompatError(WsCompatErrorCode.READ_LIMIT, 'websocket: read limit exceeded')

/**
 * The sentinel of a failed client handshake. `dial` rejects with a fresh error of the same `code` and
 * message that also carries the server's `response`: compare with `err.code === ErrBadHandshake.code`.
 */
export const ErrBadHandshake = new WsCompatError(WsCompatErrorCode.BAD_HANDSHAKE, 'websocket: bad handshake')

/**
 * A write whose deadline passed (gorilla's `errWriteTimeout`).
 *
 * @param cause - the error of the connection below that timed out, if it was its timeout
 */
export function writeTimeoutError (cause?: Error): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.WRITE_TIMEOUT, 'websocket: write timeout', timeoutOptions(cause))
}

/**
 * A read whose deadline passed (Go's "i/o timeout").
 *
 * @param cause - the error of the connection below that timed out, if it was its timeout
 */
export function readTimeoutError (cause?: Error): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.READ_TIMEOUT, 'websocket: read timeout: i/o timeout', timeoutOptions(cause))
}

function timeoutOptions (cause: Error | undefined): ErrorOptions & { timeout: boolean } {
  return cause === undefined ? { timeout: true } : { timeout: true, cause }
}

/**
 * A handshake that overran `handshakeTimeout`.
 *
 * @param stage - what timed out, e.g. `'handshake write'`
 */
export function handshakeTimeoutError (stage: string): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.HANDSHAKE_TIMEOUT, `websocket: ${stage}: i/o timeout`, { timeout: true })
}

/** Any use of a connection after `close()` (Go's `net.ErrClosed`). */
export function connClosedError (): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.CONN_CLOSED, 'websocket: use of closed network connection')
}

/**
 * A socket failure (reset, broken pipe, refused connection) as a `WS_COMPAT_ERR_NET` error whose `cause`
 * is the system error.
 *
 * @param err - the system error
 * @param context - what was being done, e.g. `'handshake write: '`
 */
export function netError (err: Error, context = ''): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.NET, `websocket: ${context}${err.message}`, { cause: err })
}

/**
 * Tells whether an error a socket was destroyed with is a read or a write timeout of the connection below
 * (the router's hijacked conn destroys its socket with its own codes when its `setReadTimeout` /
 * `setWriteTimeout` fire). Given by whoever supplies that connection (the legacy upgrader), so that nothing
 * under it needs to know the router's codes.
 */
export type TimeoutOf = (err: Error) => 'read' | 'write' | undefined

/**
 * What reads and writes report when the socket failed. A socket destroyed by a timeout of the connection
 * below reports the same timeout errors as the `Conn`'s own deadlines, so both upgraders fail alike; any
 * other failure is a `WS_COMPAT_ERR_NET` error.
 *
 * @param err - why the socket failed: the error it was destroyed with, when there is one
 * @param timeoutOf - recognises the timeouts of the connection below, when there is one
 */
export function socketError (err: Error, timeoutOf?: TimeoutOf): WsCompatError {
  switch (timeoutOf?.(err)) {
    case 'read':
      return readTimeoutError(err)
    case 'write':
      return writeTimeoutError(err)
    default:
      return netError(err)
  }
}

/** A write refused because the write queue is full. */
export function writeQueueFullError (): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.WRITE_QUEUE_FULL, 'websocket: write queue full')
}

/** A message type that cannot be written (gorilla's `errBadWriteOpCode`). */
export function badWriteOpcodeError (): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.BAD_WRITE_OPCODE, 'websocket: bad write message type')
}

/** A control message that is fragmented or over 125 bytes (gorilla's `errInvalidControlFrame`). */
export function invalidControlFrameError (): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.INVALID_CONTROL_FRAME, 'websocket: invalid control frame')
}

/**
 * An error that is built only when something reports it. Building an `Error` captures a stack trace, and a
 * connection that ends cleanly has several end-of-stream errors nobody ever reads; this keeps the cause
 * until a read or write asks, then the error is built once and kept.
 */
export class DeferredError {
  private readonly make: () => unknown

  /** @param make - builds the error */
  constructor (make: () => unknown) {
    this.make = make
  }

  /** Builds the error. */
  build (): unknown {
    return this.make()
  }
}

/** Shared factory: every connection closed locally reports its own "use of closed network connection". */
export const deferredConnClosed = new DeferredError(connClosedError)

/**
 * The error itself: builds a {@link DeferredError}, returns anything else as it is.
 *
 * @param err - an error or a deferred one
 */
export function realError<T> (err: T | DeferredError): T {
  return err instanceof DeferredError ? (err.build() as T) : err
}
