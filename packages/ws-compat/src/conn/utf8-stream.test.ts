/**
 * The fragment-by-fragment UTF-8 check against a byte-at-a-time reference: for any bytes cut anywhere, it
 * fails at the first piece after which no continuation could make the bytes valid UTF-8, and not before.
 */
import t from 'tap'
import { Utf8Stream } from './utf8-stream.js'

/** Reference: the index of the first byte after which `bytes` cannot be a prefix of UTF-8; -1 when none. */
function firstImpossible (bytes: Buffer): number {
  let need = 0
  let low = 0x80
  let high = 0xbf
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    if (need === 0) {
      if (b < 0x80) continue
      if (b >= 0xc2 && b <= 0xdf) need = 1
      else if (b >= 0xe0 && b <= 0xef) need = 2
      else if (b >= 0xf0 && b <= 0xf4) need = 3
      else return i
      low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80
      high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf
      continue
    }
    if (b < low || b > high) return i
    low = 0x80
    high = 0xbf
    need--
  }
  return -1
}

/** Feeds `bytes` cut at `cuts`; the index of the piece the stream refused, or -1. */
function refusedPiece (bytes: Buffer, cuts: number[]): number {
  const stream = new Utf8Stream()
  const edges = [0, ...cuts, bytes.length]
  for (let p = 0; p + 1 < edges.length; p++) {
    if (!stream.push(bytes.subarray(edges[p], edges[p + 1]))) return p
  }
  return -1
}

/** Deterministic pseudo-random numbers (the failures must reproduce). */
function lcg (seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    return s / 0x80000000
  }
}

t.test('matches the reference for every cut of valid and damaged text', async (t) => {
  const rand = lcg(16)
  const samples = ['a', 'é', '€', '😀', 'κόσμε', 'ab€😀cd', '\u{10ffff}\u{ffff}\u0800\u0080\u007f']
  let checked = 0
  let mismatches = 0
  for (let round = 0; round < 3000; round++) {
    const text = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 6) }, () => samples[Math.floor(rand() * samples.length)]).join(''))
    // Damage a third of them: one byte replaced by any value.
    if (round % 3 === 0) text[Math.floor(rand() * text.length)] = Math.floor(rand() * 256)
    const cuts = [...new Set(Array.from({ length: Math.floor(rand() * 4) }, () => 1 + Math.floor(rand() * (text.length - 1))))]
      .filter((c) => c > 0 && c < text.length).sort((a, b) => a - b)
    const bad = firstImpossible(text)
    const edges = [0, ...cuts, text.length]
    const expected = bad === -1 ? -1 : edges.findIndex((e, i) => i + 1 < edges.length && bad >= e && bad < edges[i + 1]!)
    if (refusedPiece(text, cuts) !== expected) {
      mismatches++
      t.fail(`${text.toString('hex')} cut at ${cuts.join(',')}: refused piece ${refusedPiece(text, cuts)}, expected ${expected}`)
      if (mismatches > 5) break
    }
    checked++
  }
  t.equal(mismatches, 0, `${checked} cases`)
})

t.test('Autobahn 6.4.x: the invalid code point is refused in the fragment that holds its first bad byte', async (t) => {
  const before = Buffer.from('κόσμε')
  const after = Buffer.from('edited')
  const invalid = Buffer.from([0xf4, 0x90, 0x80, 0x80])
  const all = Buffer.concat([before, invalid, after])
  // 6.4.1: fragments of whole code points; 6.4.2: F4 ends a fragment, 90 starts the next; 6.4.3/4: 1-byte pieces.
  t.equal(refusedPiece(all, [before.length, before.length + 4]), 1)
  t.equal(refusedPiece(all, [before.length + 1]), 1)
  t.equal(refusedPiece(all, Array.from({ length: all.length - 1 }, (_, i) => i + 1)), before.length + 1)
})
