import { constants as zlibConstants, deflateRawSync } from 'node:zlib'
import { maxControlFramePayloadSize } from '../constants.js'
import { isControl, isData, toBuffer, type Data } from './data.js'
import { badWriteOpcodeError, invalidControlFrameError } from '../errors.js'
import { zlibOptionsForLevel } from './compression.js'

/**
 * A message to send to many connections (gorilla's `PreparedMessage`): the payload is copied once, and
 * compressed at most once per compression level and window size however many connections get it.
 * Build it with {@link newPreparedMessage}, send it with `conn.writePreparedMessage(pm)`.
 */
export class PreparedMessage {
  /** The message type. */
  readonly messageType: number
  /** The uncompressed payload (a private copy). */
  readonly data: Buffer
  private readonly compressed = new Map<string, Buffer>()

  /**
   * @param messageType - any of the five message types
   * @param data - the payload; copied
   */
  constructor(messageType: number, data: Data) {
    const control = isControl(messageType)
    if (!control && !isData(messageType)) throw badWriteOpcodeError()
    const bytes = toBuffer(data)
    if (control && bytes.length > maxControlFramePayloadSize) throw invalidControlFrameError()
    this.messageType = messageType
    // Copied so that the caller may reuse its buffer, as gorilla protects against.
    this.data = Buffer.from(bytes)
  }

  /**
   * The permessage-deflate payload (without the trailing `00 00 ff ff`) for one compression setting,
   * computed on first use. @internal Used by `Conn.writePreparedMessage`.
   *
   * @param level - the compression level
   * @param windowBits - the sender's negotiated window size
   */
  deflated(level: number, windowBits: number): Buffer {
    const key = `${level}/${windowBits}`
    let payload = this.compressed.get(key)
    if (payload === undefined) {
      const out = deflateRawSync(this.data, {
        ...zlibOptionsForLevel(level),
        windowBits,
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      })
      payload = out.subarray(0, out.length - 4)
      this.compressed.set(key, payload)
    }
    return payload
  }
}

/**
 * Builds a {@link PreparedMessage} (gorilla's `NewPreparedMessage`).
 *
 * @param messageType - any of the five message types
 * @param data - the payload; copied
 * @throws WsCompatError `WS_COMPAT_ERR_BAD_WRITE_OPCODE` or `WS_COMPAT_ERR_INVALID_CONTROL_FRAME`
 */
export function newPreparedMessage(messageType: number, data: Data): PreparedMessage {
  return new PreparedMessage(messageType, data)
}
