/**
 * An incremental UTF-8 check for the autobahn server's `validator`: bytes can be fed in any pieces, and the
 * first byte that no valid sequence can contain is reported at once (the originals use Björn Höhrmann's DFA for
 * the same job; this is a direct reading of RFC 3629's byte ranges).
 */

/** Whether more bytes are needed to finish a sequence, and the range the next one must be in. */
export class UTF8State {
  private need = 0
  private lo = 0x80
  private hi = 0xbf

  /** Feed `p`; `false` at the first byte that makes the input invalid (the state is then stuck invalid). */
  write (p: Uint8Array): boolean {
    if (this.need < 0) return false
    for (const b of p) {
      if (this.need === 0) {
        if (b < 0x80) continue
        if (b >= 0xc2 && b <= 0xdf) this.expect(1, 0x80, 0xbf)
        else if (b === 0xe0) this.expect(2, 0xa0, 0xbf) // no overlong 3-byte forms
        else if (b === 0xed) this.expect(2, 0x80, 0x9f) // no surrogates
        else if (b >= 0xe1 && b <= 0xef) this.expect(2, 0x80, 0xbf)
        else if (b === 0xf0) this.expect(3, 0x90, 0xbf) // no overlong 4-byte forms
        else if (b >= 0xf1 && b <= 0xf3) this.expect(3, 0x80, 0xbf)
        else if (b === 0xf4) this.expect(3, 0x80, 0x8f) // nothing past U+10FFFF
        else return this.fail()
      } else {
        if (b < this.lo || b > this.hi) return this.fail()
        this.expect(this.need - 1, 0x80, 0xbf)
      }
    }
    return true
  }

  /** Whether the input so far ends on a character boundary (and never went invalid). */
  complete (): boolean {
    return this.need === 0
  }

  private expect (need: number, lo: number, hi: number): void {
    this.need = need
    this.lo = lo
    this.hi = hi
  }

  private fail (): false {
    this.need = -1
    return false
  }
}
