import { constants as zlibConstants, deflateRawSync } from 'node:zlib'
import { maxControlFramePayloadSize } from '../constants.js'
import { isControl, isData, toBuffer, type Data } from './data.js'
import { badWriteOpcodeError, invalidControlFrameError } from '../errors.js'
import { zlibOptionsForLevel } from './compression.js'

/** Reads a prepared message's cache for {@link deflatedPayload}; set in its static block. */
let deflatedOf: (pm: PreparedMessage, level: number, windowBits: number) => Buffer

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
  /** The deflated payloads made so far, by compression level and window size. */
  readonly #compressed = new Map<string, Buffer>()

  static {
    deflatedOf = (pm, level, windowBits) => {
      const key = `${level}/${windowBits}`
      let payload = pm.#compressed.get(key)
      if (payload === undefined) {
        const out = deflateRawSync(pm.data, {
          ...zlibOptionsForLevel(level),
          windowBits,
          finishFlush: zlibConstants.Z_SYNC_FLUSH,
        })
        payload = out.subarray(0, out.length - 4)
        pm.#compressed.set(key, payload)
      }
      return payload
    }
  }

  /**
   * @param messageType - any of the five message types
   * @param data - the payload; copied
   */
  constructor (messageType: number, data: Data) {
    const control = isControl(messageType)
    if (!control && !isData(messageType)) throw badWriteOpcodeError()
    const bytes = toBuffer(data)
    if (control && bytes.length > maxControlFramePayloadSize) throw invalidControlFrameError()
    this.messageType = messageType
    // Copied so that the caller may reuse its buffer, as gorilla protects against.
    this.data = Buffer.from(bytes)
  }
}

/**
 * Builds a {@link PreparedMessage} (gorilla's `NewPreparedMessage`).
 *
 * @param messageType - any of the five message types
 * @param data - the payload; copied
 * @throws WsCompatError `WS_COMPAT_ERR_BAD_WRITE_OPCODE` or `WS_COMPAT_ERR_INVALID_CONTROL_FRAME`
 */
export function newPreparedMessage (messageType: number, data: Data): PreparedMessage {
  return new PreparedMessage(messageType, data)
}

/**
 * The permessage-deflate payload of `pm` (without the trailing `00 00 ff ff`) for one compression setting,
 * computed on first use and shared by every connection with that setting. Used by `Conn.writePreparedMessage`;
 * not a method, so that it stays out of the published API.
 *
 * @param pm - the prepared message
 * @param level - the compression level
 * @param windowBits - the sender's negotiated window size
 */
export function deflatedPayload (pm: PreparedMessage, level: number, windowBits: number): Buffer {
  return deflatedOf(pm, level, windowBits)
}
