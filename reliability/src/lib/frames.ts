/**
 * What the suite knows of RFC 6455 frames: opcodes, close codes, invalid UTF-8. The frame codec itself
 * (`buildFrame`, which writes every illegal variant too) is `@hertz-node/test-kit/frames`; the fuzz generator
 * in `fuzz-cases.ts` builds on it.
 */
import { buildFrame } from '@hertz-node/test-kit/frames'

/** Opcodes of RFC 6455 section 5.2; everything else (3-7, 0xB-0xF) is reserved. */
export const Op = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa
} as const

/** Opcodes RFC 6455 reserves for future use: receiving one is a protocol error (1002). */
export const RESERVED_OPCODES = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf] as const

/** Close codes of RFC 6455 section 7.4. */
export const Close = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  Unsupported: 1003,
  NoStatus: 1005,
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  TooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011
} as const

/** Close codes a peer must never put on the wire (reserved, unassigned or out of range): each is a 1002. */
export const INVALID_CLOSE_CODES = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] as const

/** Close codes a peer may send. */
export const VALID_CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999] as const

/** The payload of a close frame: a 2-byte code followed by the reason bytes. */
export function closePayload (code: number, reason: Buffer | string = ''): Buffer {
  const r = typeof reason === 'string' ? Buffer.from(reason) : reason
  const out = Buffer.alloc(2 + r.length)
  out.writeUInt16BE(code & 0xffff, 0)
  r.copy(out, 2)
  return out
}

/** A masked close frame from a client, as sent when replying to the server's close. */
export function clientClose (code: number = Close.Normal, reason = ''): Buffer {
  return buildFrame({ opcode: Op.Close, payload: closePayload(code, reason) })
}

/**
 * Byte sequences that are never valid UTF-8 wherever they sit in a message (RFC 3629): overlong forms,
 * UTF-16 surrogates, code points above U+10FFFF, bytes that never occur, lone continuation bytes,
 * and a lead byte followed by a non-continuation byte.
 */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xc1, 0xbf]),
  Buffer.from([0xe0, 0x80, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xed, 0xbf, 0xbf]),
  Buffer.from([0xf0, 0x80, 0x80, 0xaf]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xf5, 0x80, 0x80, 0x80]),
  Buffer.from([0xff]),
  Buffer.from([0xfe]),
  Buffer.from([0x80]),
  Buffer.from([0xbf, 0xbf]),
  Buffer.from([0xe2, 0x28, 0xa1]),
  Buffer.from([0xc3, 0x28])
]

/** Inserts `bad` into valid UTF-8 `text` at a code point boundary chosen by `at` in [0, 1). */
export function corruptUtf8 (text: string, bad: Buffer, at: number): Buffer {
  const points = Array.from(text)
  const i = Math.floor(at * (points.length + 1))
  return Buffer.concat([Buffer.from(points.slice(0, i).join('')), bad, Buffer.from(points.slice(i).join(''))])
}
