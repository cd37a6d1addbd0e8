/**
 * WebSocket frames built and parsed by hand (RFC 6455 5.2), so tests can send what no well-behaved peer
 * would and see exactly what went over the wire.
 */
import { randomBytes } from 'node:crypto'

/** One frame read off the wire; a masked payload is already unmasked. */
export interface RawFrame {
  fin: boolean
  rsv1: boolean
  opcode: number
  /** Whether the sender masked it (clients must, servers must not). */
  masked: boolean
  payload: Buffer
}

/**
 * The header of a frame: first byte, length field(s), and the mask key when `mask` is given.
 *
 * @param opcode - the opcode
 * @param length - the payload length the header announces (up to 2^64 - 1, as a bigint when large)
 * @param opts - `fin` (default true), `rsv1`, `mask` (a 4-byte key; none = unmasked)
 */
export function frameHeader(
  opcode: number,
  length: number | bigint,
  opts: { fin?: boolean; rsv1?: boolean; mask?: Buffer } = {},
): Buffer {
  const n = BigInt(length)
  let header: Buffer
  if (n < 126n) {
    header = Buffer.from([0, Number(n)])
  } else if (n < 65536n) {
    header = Buffer.alloc(4)
    header[1] = 126
    header.writeUInt16BE(Number(n), 2)
  } else {
    header = Buffer.alloc(10)
    header[1] = 127
    header.writeBigUInt64BE(n, 2)
  }
  header[0] = ((opts.fin ?? true) ? 0x80 : 0) | (opts.rsv1 === true ? 0x40 : 0) | opcode
  if (opts.mask === undefined) return header
  header[1] = (header[1] as number) | 0x80
  return Buffer.concat([header, opts.mask])
}

/**
 * A client frame (masked unless `mask: false`).
 *
 * @param opcode - the opcode
 * @param payload - the payload
 * @param opts - `fin` (default true), `rsv1`, `mask` (default true)
 */
export function clientFrame(
  opcode: number,
  payload: Buffer | string,
  opts: { fin?: boolean; rsv1?: boolean; mask?: boolean } = {},
): Buffer {
  const data = Buffer.from(payload)
  const key = (opts.mask ?? true) ? randomBytes(4) : undefined
  const header = frameHeader(opcode, data.length, { fin: opts.fin ?? true, rsv1: opts.rsv1 === true, mask: key })
  return Buffer.concat([header, key === undefined ? data : xor(data, key)])
}

function xor(data: Buffer, key: Buffer): Buffer {
  const out = Buffer.alloc(data.length)
  for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) ^ (key[i & 3] as number)
  return out
}

/**
 * Takes the first complete frame off `buf`.
 *
 * @returns the frame and the bytes after it, or `null` while the frame is incomplete
 */
export function takeFrame(buf: Buffer): [RawFrame, Buffer] | null {
  if (buf.length < 2) return null
  const second = buf[1] as number
  const masked = (second & 0x80) !== 0
  let length = second & 0x7f
  let offset = 2
  if (length === 126) {
    if (buf.length < 4) return null
    length = buf.readUInt16BE(2)
    offset = 4
  } else if (length === 127) {
    if (buf.length < 10) return null
    length = Number(buf.readBigUInt64BE(2))
    offset = 10
  }
  const key = masked ? buf.subarray(offset, offset + 4) : null
  if (masked) offset += 4
  if (buf.length < offset + length) return null
  const first = buf[0] as number
  const body = buf.subarray(offset, offset + length)
  const frame: RawFrame = {
    fin: (first & 0x80) !== 0,
    rsv1: (first & 0x40) !== 0,
    opcode: first & 0x0f,
    masked,
    payload: key === null ? body : xor(body, key),
  }
  return [frame, buf.subarray(offset + length)]
}
