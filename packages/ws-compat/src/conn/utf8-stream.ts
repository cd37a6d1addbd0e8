/**
 * UTF-8 validation across the fragments of a text message, so that a message is refused at the first fragment
 * that cannot be part of valid UTF-8 rather than when it is complete (RFC 6455 §8.1: fail fast).
 *
 * Node's `buffer.isUtf8` (SIMD) checks whole buffers only. Each fragment is checked with it, except a code
 * point cut at a fragment's edge: those 1-3 bytes are kept and checked here, byte ranges as in RFC 3629, as a
 * prefix and again once the next fragment completes them.
 */
import { isUtf8 } from 'node:buffer'

/** The length of the sequence a lead byte starts; `0` for a byte that starts none (ASCII excluded). */
function sequenceLength (lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2
  if (lead >= 0xe0 && lead <= 0xef) return 3
  if (lead >= 0xf0 && lead <= 0xf4) return 4
  return 0
}

/**
 * Whether the first `n` bytes of `b` (a lead byte and up to 3 continuations) are a valid sequence, or the start
 * of one. Checked here rather than with `isUtf8`: for 1-4 bytes a native call and a view cost more.
 */
function isValidPrefix (b: Uint8Array, n: number): boolean {
  const lead = b[0] as number
  if (sequenceLength(lead) === 0) return false
  if (n < 2) return true
  const second = b[1] as number
  // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf
  if (second < low || second > high) return false
  for (let i = 2; i < n; i++) if (((b[i] as number) & 0xc0) !== 0x80) return false
  return true
}

/** The validation state of one text message in progress. */
export class Utf8Stream {
  /** Fragments of the current message already checked (the parser keeps them in one array). */
  checked = 0
  readonly #partial = new Uint8Array(4)
  #partialLength = 0

  /** Forgets the message: the next bytes start a new one. */
  reset (): void {
    this.checked = 0
    this.#partialLength = 0
  }

  /**
   * Checks the next bytes of the message.
   *
   * @returns `false` once the bytes so far cannot be the start of valid UTF-8
   */
  push (chunk: Buffer): boolean {
    let start = 0
    if (this.#partialLength > 0) {
      const need = sequenceLength(this.#partial[0] as number)
      start = Math.min(need - this.#partialLength, chunk.length)
      for (let i = 0; i < start; i++) this.#partial[this.#partialLength++] = chunk[i] as number
      const length = this.#partialLength
      if (length === need) this.#partialLength = 0
      if (!isValidPrefix(this.#partial, length)) return false
      if (length < need) return true
    }
    // A sequence cut at the end: its lead byte is among the last three bytes.
    let end = chunk.length
    for (let i = chunk.length - 1; i >= start && i >= chunk.length - 3; i--) {
      const b = chunk[i] as number
      if (b < 0x80) break
      if (b >= 0xc0) {
        if (sequenceLength(b) > chunk.length - i) end = i
        break
      }
    }
    // A view costs an allocation: only when the fragment is not checked whole.
    if (!isUtf8(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end))) return false
    if (end === chunk.length) return true
    this.#partialLength = 0
    for (let i = end; i < chunk.length; i++) this.#partial[this.#partialLength++] = chunk[i] as number
    return isValidPrefix(this.#partial, this.#partialLength)
  }
}
