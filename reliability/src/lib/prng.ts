/**
 * A small seeded PRNG (mulberry32) so every generated case can be replayed exactly.
 * `Math.random` is never used by the suite: a failing run prints its seed, and
 * `RELIABILITY_SEED=<n>` reproduces it byte for byte.
 */
export class Prng {
  private state: number

  /** @param seed any 32-bit integer; the same seed yields the same sequence. */
  constructor (readonly seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next (): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let z = this.state
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max] (both inclusive). */
  int (min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** True with probability `p`. */
  chance (p: number): boolean {
    return this.next() < p
  }

  /** One element of a non-empty array. */
  pick<T> (items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  /** `n` random bytes. */
  bytes (n: number): Buffer {
    const out = Buffer.allocUnsafe(n)
    for (let i = 0; i < n; i++) out[i] = (this.next() * 256) | 0
    return out
  }

  /** Random printable ASCII and multi-byte (valid) UTF-8 text of about `n` code points. */
  text (n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) {
      const r = this.next()
      if (r < 0.8) s += String.fromCharCode(this.int(0x20, 0x7e))
      else if (r < 0.9) s += String.fromCharCode(this.int(0xa0, 0x7ff))
      else if (r < 0.97) s += String.fromCharCode(this.int(0x800, 0xd7ff))
      else s += String.fromCodePoint(this.int(0x10000, 0x10ffff))
    }
    return s
  }

  /** Splits `buf` into 1..maxPieces contiguous pieces at random offsets (to exercise partial reads). */
  split (buf: Buffer, maxPieces: number): Buffer[] {
    const pieces = Math.min(this.int(1, maxPieces), Math.max(1, buf.length))
    if (pieces === 1) return [buf]
    const cuts = new Set<number>()
    while (cuts.size < pieces - 1) cuts.add(this.int(1, buf.length - 1))
    const sorted = [...cuts].sort((a, b) => a - b)
    const out: Buffer[] = []
    let prev = 0
    for (const c of sorted) { out.push(buf.subarray(prev, c)); prev = c }
    out.push(buf.subarray(prev))
    return out
  }

  /** A derived generator, so sub-streams stay stable when another stream draws more numbers. */
  fork (): Prng {
    return new Prng((this.next() * 4294967296) >>> 0)
  }
}

/** The seed of this run: `RELIABILITY_SEED` when set, otherwise a fixed default (runs are deterministic). */
export function runSeed (): number {
  const env = process.env.RELIABILITY_SEED
  if (env !== undefined && env !== '') {
    const n = Number(env)
    if (!Number.isInteger(n)) throw new Error(`RELIABILITY_SEED must be an integer, got ${env}`)
    return n >>> 0
  }
  return 0x5eed6455
}
