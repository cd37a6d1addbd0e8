/**
 * Frame fuzz generator with an oracle. Each case is a valid prefix (messages the server must echo, pings
 * it must answer) followed by one violation whose RFC 6455 outcome is known: 1002 for protocol errors,
 * 1007 for invalid UTF-8, 1009 for messages over the read limit. Violations are produced by mutating
 * randomly generated valid frames (flip RSV, drop the mask, swap in a reserved opcode, ...), so the
 * surrounding bytes vary from case to case. Case `id` under seed `s` is always the same bytes.
 */
import { closePayload, corruptUtf8, INVALID_CLOSE_CODES, INVALID_UTF8, Op, RESERVED_OPCODES, VALID_CLOSE_CODES } from './frames.js'
import { buildFrame, type FrameSpec } from '@hertz-node/test-kit/frames'
import type { Message } from './frame-reader.js'
import { Prng } from './prng.js'

/** One fuzz case. */
export interface FuzzCase {
  id: number
  /** The violation's category (the unit RELIABILITY.md counts in). */
  category: string
  /** Valid frames sent first. */
  prefix: Buffer[]
  /** Data messages the server must echo for the prefix, in order. */
  echoes: Message[]
  /** Pong payloads the server must send for the prefix's pings (any order). */
  pongs: Buffer[]
  /** The violating frames. */
  bad: Buffer[]
  /** Close codes RFC 6455 allows for this violation. */
  expected: readonly number[]
}

/** The PRNG of case `id`: derived from (seed, id) alone so one case replays without the others. */
export function casePrng (seed: number, id: number): Prng {
  return new Prng((seed ^ Math.imul(id + 1, 0x9e3779b1)) >>> 0)
}

function mask (p: Prng): Buffer {
  return p.bytes(4)
}

/** A text payload: mostly short, some 16-bit lengths, a few 64-bit ones (within `limit`). */
function textPayload (p: Prng, limit: number): Buffer {
  const r = p.next()
  const n = r < 0.7 ? p.int(0, 40) : r < 0.97 ? p.int(40, 700) : p.int(22000, Math.min(30000, limit / 3))
  return Buffer.from(p.text(n))
}

function binaryPayload (p: Prng, limit: number): Buffer {
  const r = p.next()
  const n = r < 0.7 ? p.int(0, 125) : r < 0.97 ? p.int(126, 3000) : p.int(65536, Math.min(70000, limit))
  return p.bytes(n)
}

/** Splits a payload into 1..4 fragments as frame specs (UTF-8 sequences may straddle fragments: legal). */
function fragment (p: Prng, opcode: number, payload: Buffer): FrameSpec[] {
  const pieces = p.split(payload, payload.length === 0 ? 1 : 4)
  return pieces.map((piece, i) => ({
    opcode: i === 0 ? opcode : Op.Continuation,
    fin: i === pieces.length - 1,
    payload: piece,
    mask: mask(p)
  }))
}

interface Prefix { specs: FrameSpec[], echoes: Message[], pongs: Buffer[] }

/** 0..3 valid units: messages (whole or fragmented, pings in between), pings, unsolicited pongs. */
function validPrefix (p: Prng, limit: number): Prefix {
  const out: Prefix = { specs: [], echoes: [], pongs: [] }
  const units = p.int(0, 3)
  for (let u = 0; u < units; u++) {
    const r = p.next()
    if (r < 0.15) {
      const payload = p.bytes(p.int(0, 125))
      out.specs.push({ opcode: Op.Ping, payload, mask: mask(p) })
      out.pongs.push(payload)
    } else if (r < 0.2) {
      out.specs.push({ opcode: Op.Pong, payload: p.bytes(p.int(0, 125)), mask: mask(p) })
    } else {
      const opcode = p.chance(0.6) ? Op.Text : Op.Binary
      const payload = opcode === Op.Text ? textPayload(p, limit) : binaryPayload(p, limit)
      const frames = p.chance(0.4) ? fragment(p, opcode, payload) : [{ opcode, payload, mask: mask(p) }]
      if (frames.length > 1 && p.chance(0.5)) {
        const ping = p.bytes(p.int(0, 20))
        frames.splice(p.int(1, frames.length - 1), 0, { opcode: Op.Ping, payload: ping, mask: mask(p) })
        out.pongs.push(ping)
      }
      out.specs.push(...frames)
      out.echoes.push({ opcode, data: payload })
    }
  }
  return out
}

/** A random valid frame to mutate: a data frame or a control frame. */
function victim (p: Prng, limit: number): FrameSpec {
  const r = p.next()
  if (r < 0.35) return { opcode: Op.Text, payload: textPayload(p, limit), mask: mask(p) }
  if (r < 0.7) return { opcode: Op.Binary, payload: binaryPayload(p, limit), mask: mask(p) }
  if (r < 0.8) return { opcode: Op.Ping, payload: p.bytes(p.int(0, 125)), mask: mask(p) }
  if (r < 0.9) return { opcode: Op.Pong, payload: p.bytes(p.int(0, 125)), mask: mask(p) }
  return { opcode: Op.Close, payload: closePayload(p.pick(VALID_CLOSE_CODES), p.text(p.int(0, 20)).slice(0, 30)), mask: mask(p) }
}

const isControl = (op: number): boolean => op >= 8

type Mutation = (p: Prng, limit: number) => { specs: FrameSpec[], expected: readonly number[] }

const PROTOCOL = [1002] as const
const UTF8 = [1007] as const
const TOO_BIG = [1009] as const

/** Every violation the fuzzer produces, by category. */
export const MUTATIONS: Record<string, Mutation> = {
  'unmasked frame': (p, l) => ({ specs: [{ ...victim(p, l), mask: null }], expected: PROTOCOL }),
  'RSV bits without extension': (p, l) => ({ specs: [{ ...victim(p, l), rsv: p.int(1, 7) }], expected: PROTOCOL }),
  'reserved opcode': (p, l) => ({ specs: [{ ...victim(p, l), opcode: p.pick(RESERVED_OPCODES) }], expected: PROTOCOL }),
  'fragmented control frame': (p, l) => {
    let v = victim(p, l)
    while (!isControl(v.opcode)) v = victim(p, l)
    return { specs: [{ ...v, fin: false }], expected: PROTOCOL }
  },
  'oversized control frame': (p) => ({
    specs: [{ opcode: p.pick([Op.Ping, Op.Pong, Op.Close]), payload: p.bytes(p.int(126, 600)), mask: mask(p) }],
    expected: PROTOCOL
  }),
  'control frame with extended length': (p) => ({
    specs: [{ opcode: p.pick([Op.Ping, Op.Pong]), payload: p.bytes(p.int(0, 125)), lengthBits: p.pick([16, 64] as const), mask: mask(p) }],
    expected: PROTOCOL
  }),
  'continuation with no start': (p, l) => ({
    specs: [{ ...victim(p, l), opcode: Op.Continuation, fin: p.chance(0.5) }],
    expected: PROTOCOL
  }),
  'new message inside a fragmented one': (p) => {
    const first = { opcode: p.pick([Op.Text, Op.Binary]), fin: false, payload: Buffer.from(p.text(p.int(0, 30))), mask: mask(p) }
    return { specs: [first, { opcode: p.pick([Op.Text, Op.Binary]), fin: p.chance(0.5), payload: p.bytes(p.int(0, 50)), mask: mask(p) }], expected: PROTOCOL }
  },
  'close with 1-byte payload': (p) => ({ specs: [{ opcode: Op.Close, payload: p.bytes(1), mask: mask(p) }], expected: PROTOCOL }),
  'bad close code': (p) => ({
    specs: [{ opcode: Op.Close, payload: closePayload(p.pick(INVALID_CLOSE_CODES), p.text(p.int(0, 10))), mask: mask(p) }],
    expected: PROTOCOL
  }),
  'invalid UTF-8 in close reason': (p) => ({
    specs: [{ opcode: Op.Close, payload: closePayload(p.pick(VALID_CLOSE_CODES), corruptUtf8(p.text(p.int(0, 20)), p.pick(INVALID_UTF8), p.next())), mask: mask(p) }],
    expected: UTF8
  }),
  'invalid UTF-8 in text': (p, l) => ({
    specs: [{ opcode: Op.Text, payload: corruptUtf8(textPayload(p, l).toString(), p.pick(INVALID_UTF8), p.next()), mask: mask(p) }],
    expected: UTF8
  }),
  'invalid UTF-8 in a text fragment': (p, l) => {
    const text = textPayload(p, l).toString()
    const frags = fragment(p, Op.Text, Buffer.from(text))
    const i = p.int(0, frags.length - 1)
    frags[i] = { ...frags[i]!, payload: corruptUtf8(frags[i]!.payload!.toString('latin1').replace(/[^\x20-\x7e]/g, 'a'), p.pick(INVALID_UTF8), p.next()) }
    return { specs: frags, expected: UTF8 }
  },
  '64-bit length beyond the limit': (p, l) => ({
    specs: [{ opcode: p.pick([Op.Text, Op.Binary]), payload: p.bytes(p.int(0, 64)), lengthBits: 64, declaredLength: BigInt(l + 1) + BigInt(p.int(0, 2 ** 30)) * BigInt(p.int(1, 2 ** 22)), mask: mask(p) }],
    expected: TOO_BIG
  }),
  '64-bit length with the top bit set': (p) => ({
    specs: [{ opcode: p.pick([Op.Text, Op.Binary]), payload: p.bytes(p.int(0, 16)), lengthBits: 64, declaredLength: (1n << 63n) + BigInt(p.int(0, 2 ** 31)), mask: mask(p) }],
    // RFC 6455 5.2: the most significant bit MUST be 0, a protocol error; ws-style receivers report it as too big.
    expected: [1002, 1009]
  }),
  'payload over the limit': (p, l) => ({
    specs: [{ opcode: p.pick([Op.Text, Op.Binary]), payload: Buffer.alloc(l + p.int(1, 4096), 0x61), mask: mask(p) }],
    expected: TOO_BIG
  }),
  'fragments adding up over the limit': (p, l) => {
    const n = p.int(2, 4)
    const size = Math.ceil((l + 1) / n) + p.int(0, 100)
    const specs: FrameSpec[] = []
    for (let i = 0; i < n; i++) specs.push({ opcode: i === 0 ? Op.Binary : Op.Continuation, fin: i === n - 1, payload: Buffer.alloc(size, 0x62), mask: mask(p) })
    return { specs, expected: TOO_BIG }
  }
}

/** Relative weights: big-payload categories are rarer because each costs ~limit bytes on the wire. */
const WEIGHTS: Record<string, number> = {
  'payload over the limit': 0.3,
  'fragments adding up over the limit': 0.3
}

const CATEGORIES = Object.keys(MUTATIONS)
const CUMULATIVE: number[] = []
{
  let acc = 0
  for (const c of CATEGORIES) CUMULATIVE.push(acc += WEIGHTS[c] ?? 1)
}

/** Builds case `id` of a run seeded with `seed`, for a server whose read limit is `limit` bytes. */
export function generateCase (seed: number, id: number, limit: number): FuzzCase {
  const p = casePrng(seed, id)
  const r = p.next() * CUMULATIVE[CUMULATIVE.length - 1]!
  const category = CATEGORIES[CUMULATIVE.findIndex(c => r < c)]!
  const prefix = validPrefix(p, limit)
  const m = MUTATIONS[category]!(p, limit)
  return {
    id,
    category,
    prefix: prefix.specs.map(buildFrame),
    echoes: prefix.echoes,
    pongs: prefix.pongs,
    bad: m.specs.map(buildFrame),
    expected: m.expected
  }
}
