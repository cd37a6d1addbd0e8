import { BinaryMessage, CloseMessage, PingMessage, PongMessage, TextMessage } from '../constants.js'

/** What a write accepts: bytes, or a string sent as UTF-8. */
export type Data = Buffer | Uint8Array | ArrayBuffer | string

/**
 * A Buffer view of `data`, without copying bytes that are already binary.
 *
 * @param data - the payload
 */
export function toBuffer (data: Data): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (typeof data === 'string') return Buffer.from(data)
  if (data instanceof ArrayBuffer) return Buffer.from(data)
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

/**
 * Milliseconds since the epoch for a deadline given as a `Date` or a number; `0` means none, as Go's zero
 * `time.Time`.
 *
 * @param t - the deadline
 */
export function deadlineMs (t: Date | number | null | undefined): number {
  if (t === null || t === undefined) return 0
  const ms = typeof t === 'number' ? t : t.getTime()
  return Number.isFinite(ms) && ms > 0 ? ms : 0
}

/**
 * When an operation starting now must be done: the earlier of an absolute `deadline` (gorilla's
 * `SetReadDeadline`/`SetWriteDeadline`) and `timeout` ms from now (Hertz's `SetReadTimeout`/
 * `SetWriteTimeout`); `0` when neither is set.
 *
 * @param deadline - ms since the epoch, `0` for none
 * @param timeout - ms, `0` for none
 */
export function effectiveDeadline (deadline: number, timeout: number): number {
  if (timeout === 0) return deadline
  const byTimeout = Date.now() + timeout
  return deadline === 0 || byTimeout < deadline ? byTimeout : deadline
}

/** `true` for `TextMessage` and `BinaryMessage`. */
export function isData (messageType: number): boolean {
  return messageType === TextMessage || messageType === BinaryMessage
}

/** `true` for `CloseMessage`, `PingMessage` and `PongMessage`. */
export function isControl (messageType: number): boolean {
  return messageType === CloseMessage || messageType === PingMessage || messageType === PongMessage
}
