import {
  CloseAbnormalClosure,
  CloseGoingAway,
  CloseInternalServerErr,
  CloseInvalidFramePayloadData,
  CloseMandatoryExtension,
  CloseMessageTooBig,
  CloseNoStatusReceived,
  CloseNormalClosure,
  ClosePolicyViolation,
  CloseProtocolError,
  CloseTLSHandshake,
  CloseUnsupportedData,
} from '../constants.js'
import { DeferredError } from '../errors.js'

// gorilla names these codes in CloseError's message; other codes print as bare numbers.
const closeCodeNames = new Map<number, string>([
  [CloseNormalClosure, 'normal'],
  [CloseGoingAway, 'going away'],
  [CloseProtocolError, 'protocol error'],
  [CloseUnsupportedData, 'unsupported data'],
  [CloseNoStatusReceived, 'no status'],
  [CloseAbnormalClosure, 'abnormal closure'],
  [CloseInvalidFramePayloadData, 'invalid payload data'],
  [ClosePolicyViolation, 'policy violation'],
  [CloseMessageTooBig, 'message too big'],
  [CloseMandatoryExtension, 'mandatory extension missing'],
  [CloseInternalServerErr, 'internal server error'],
  [CloseTLSHandshake, 'TLS handshake error'],
])

/**
 * A close frame from the peer, or the end of the connection without one (code 1006). Reads reject with
 * it once every message received before it has been read.
 *
 * Unlike the package's other errors, `code` is the numeric close code: this is gorilla's `CloseError`,
 * whose `Code` field Go code compares against `CloseNormalClosure` and friends.
 */
export class CloseError extends Error {
  /** Always `'CloseError'`. */
  override readonly name = 'CloseError'
  /** The close code (RFC 6455 section 11.7), e.g. `CloseNormalClosure`. */
  readonly code: number
  /** The close reason; empty when the frame carried none. */
  readonly text: string

  /**
   * @param code - the close code
   * @param text - the close reason
   */
  constructor (code: number, text = '') {
    const name = closeCodeNames.get(code)
    super(`websocket: close ${code}${name === undefined ? '' : ` (${name})`}${text === '' ? '' : `: ${text}`}`)
    this.code = code
    this.text = text
  }
}

/**
 * Reports whether `err` is a {@link CloseError} with one of `codes` (gorilla's `IsCloseError`).
 *
 * @param err - any thrown value
 * @param codes - the close codes to match
 */
export function isCloseError (err: unknown, ...codes: number[]): err is CloseError {
  return err instanceof CloseError && codes.includes(err.code)
}

/**
 * Reports whether `err` is a {@link CloseError} whose code is not among `expectedCodes`
 * (gorilla's `IsUnexpectedCloseError`). Other errors are not "unexpected close errors".
 *
 * @param err - any thrown value
 * @param expectedCodes - the close codes the application considers normal
 */
export function isUnexpectedCloseError (err: unknown, ...expectedCodes: number[]): err is CloseError {
  return err instanceof CloseError && !expectedCodes.includes(err.code)
}

/**
 * Builds a close frame payload: the code as two big-endian bytes, then `text` in UTF-8. For
 * `CloseNoStatusReceived` the payload is empty, because that code must never be sent.
 *
 * @param closeCode - the close code
 * @param text - the reason (at most 123 bytes fit in a control frame)
 */
export function formatCloseMessage (closeCode: number, text = ''): Buffer {
  if (closeCode === CloseNoStatusReceived) return Buffer.alloc(0)
  const textLength = Buffer.byteLength(text)
  const buf = Buffer.allocUnsafe(2 + textLength)
  buf.writeUInt16BE(closeCode & 0xffff, 0)
  if (textLength > 0) buf.write(text, 2)
  return buf
}

/**
 * The `CloseError` of a close that came off the wire (the peer's close frame, or the connection's end). It
 * reports an event of the connection, not a place in the program, so it is made without a stack trace: the
 * capture is most of what an Error costs, and every WebSocket session ends with one of these (in a profile of
 * connect-echo-close cycles it was 4 % of the server's CPU).
 */
export function peerCloseError (code: number, text: string): CloseError {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return new CloseError(code, text)
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** The `CloseError` a connection reports when it ends without a close frame (gorilla's `errUnexpectedEOF`). */
export function unexpectedEOF (): CloseError {
  return peerCloseError(CloseAbnormalClosure, 'unexpected EOF')
}

/** {@link unexpectedEOF}, built only when a read reports it. */
export const deferredUnexpectedEOF = new DeferredError(unexpectedEOF)
