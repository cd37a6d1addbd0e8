/**
 * WebSocket frames built and parsed by hand (RFC 6455 5.2), so tests can send what no well-behaved peer
 * would - unmasked client frames, RSV bits, reserved opcodes, forced length encodings, lengths that lie about
 * the payload - and see exactly what went over the wire. Every suite uses this one codec.
 */
import { randomBytes } from 'node:crypto'

/** Everything a frame header can say, legal or not. */
export interface FrameSpec {
  /** FIN bit; default true. */
  fin?: boolean
  /** RSV1..RSV3 as a 3-bit number (4 = RSV1, 2 = RSV2, 1 = RSV3); default 0. */
  rsv?: number
  opcode: number
  payload?: Buffer
  /** Masking key; `null` sends the frame unmasked (illegal from a client). Default: a fixed key. */
  mask?: Buffer | null
  /** Force a length encoding; default is the minimal one. */
  lengthBits?: 7 | 16 | 64
  /** Length written in the header instead of the real payload length (a lie, for oversize tests). */
  declaredLength?: bigint
}

/** One frame read off the wire; a masked payload is already unmasked. */
export interface ParsedFrame {
  fin: boolean
  /** RSV1..RSV3 as a 3-bit number. */
  rsv: number
  opcode: number
  /** Whether the sender masked it (clients must, servers must not). */
  masked: boolean
  payload: Buffer
}

// Fixed, so that a frame built twice is the same bytes (the fuzz cases are replayed from a seed).
const DEFAULT_MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d])

// Past this a server frame is a bug to report, not something to wait for.
const MAX_SERVER_FRAME = 256 * 1024 * 1024

function xor (data: Buffer, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length)
  for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) ^ (key[i & 3] as number)
  return out
}

/** Encodes one frame. Payload bytes are masked with `spec.mask` unless it is null. */
export function buildFrame (spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0)
  const mask = spec.mask === undefined ? DEFAULT_MASK : spec.mask
  const length = spec.declaredLength ?? BigInt(payload.length)
  const bits = spec.lengthBits ?? (length < 126n ? 7 : length < 65536n ? 16 : 64)
  const extra = bits === 7 ? 0 : bits === 16 ? 2 : 8
  const head = Buffer.alloc(2 + extra + (mask === null ? 0 : 4))
  head[0] = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0x0f)
  const maskBit = mask === null ? 0 : 0x80
  if (bits === 7) {
    if (length > 125n) throw new RangeError(`length ${length} does not fit 7 bits`)
    head[1] = maskBit | Number(length)
  } else if (bits === 16) {
    if (length > 0xffffn) throw new RangeError(`length ${length} does not fit 16 bits`)
    head[1] = maskBit | 126
    head.writeUInt16BE(Number(length), 2)
  } else {
    head[1] = maskBit | 127
    head.writeBigUInt64BE(length, 2)
  }
  if (mask === null) return Buffer.concat([head, payload])
  mask.copy(head, 2 + extra)
  return Buffer.concat([head, xor(payload, mask)])
}

/**
 * Decodes the frame at the start of `buf`.
 *
 * @returns the frame and the bytes it used, or `null` while `buf` holds only part of it
 */
export function parseFrame (buf: Buffer): { frame: ParsedFrame; used: number } | null {
  if (buf.length < 2) return null
  const first = buf[0] as number
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
    const big = buf.readBigUInt64BE(2)
    if (big > BigInt(MAX_SERVER_FRAME)) throw new Error(`server frame declares ${big} bytes`)
    length = Number(big)
    offset = 10
  }
  const key = masked ? buf.subarray(offset, offset + 4) : null
  if (masked) offset += 4
  if (buf.length < offset + length) return null
  const body = buf.subarray(offset, offset + length)
  return {
    frame: {
      fin: (first & 0x80) !== 0,
      rsv: (first >> 4) & 7,
      opcode: first & 0x0f,
      masked,
      payload: key === null ? body : xor(body, key),
    },
    used: offset + length,
  }
}

/** A frame as the ws-compat tests read it: RSV1 alone, the one bit permessage-deflate uses. */
export interface RawFrame {
  fin: boolean
  rsv1: boolean
  opcode: number
  masked: boolean
  payload: Buffer
}

/**
 * The header of a frame announcing `length` bytes, without them: first byte, length field(s), and the mask
 * key when `mask` is given.
 *
 * @param opcode - the opcode
 * @param length - the payload length the header announces (up to 2^64 - 1, as a bigint when large)
 * @param opts - `fin` (default true), `rsv1`, `mask` (a 4-byte key; none = unmasked)
 */
export function frameHeader (
  opcode: number,
  length: number | bigint,
  opts: { fin?: boolean; rsv1?: boolean; mask?: Buffer } = {}
): Buffer {
  return buildFrame({
    opcode,
    fin: opts.fin ?? true,
    rsv: opts.rsv1 === true ? 4 : 0,
    mask: opts.mask ?? null,
    declaredLength: BigInt(length),
  })
}

/**
 * A client frame, masked with a random key unless `mask: false`.
 *
 * @param opcode - the opcode
 * @param payload - the payload
 * @param opts - `fin` (default true), `rsv1`, `mask` (default true)
 */
export function clientFrame (
  opcode: number,
  payload: Buffer | string,
  opts: { fin?: boolean; rsv1?: boolean; mask?: boolean } = {}
): Buffer {
  return buildFrame({
    opcode,
    payload: Buffer.from(payload),
    fin: opts.fin ?? true,
    rsv: opts.rsv1 === true ? 4 : 0,
    mask: (opts.mask ?? true) ? randomBytes(4) : null,
  })
}

/**
 * Takes the first complete frame off `buf`.
 *
 * @returns the frame and the bytes after it, or `null` while the frame is incomplete
 */
export function takeFrame (buf: Buffer): [RawFrame, Buffer] | null {
  const parsed = parseFrame(buf)
  if (parsed === null) return null
  const { fin, rsv, opcode, masked, payload } = parsed.frame
  return [{ fin, rsv1: (rsv & 4) !== 0, opcode, masked, payload }, buf.subarray(parsed.used)]
}
