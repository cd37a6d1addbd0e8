/**
 * Go's `bufio.Scanner` with its default split function, `ScanLines`, over a Node stream: one line per `scan()`,
 * without its `\n` and a `\r` before it; a last line without a newline counts. A line longer than
 * `MaxScanTokenSize` stops the scan with `ErrTooLong`, as in Go.
 */
import type { Readable } from 'node:stream'

/** Go's `bufio.MaxScanTokenSize`: the longest line a default `Scanner` takes. */
export const MaxScanTokenSize = 64 * 1024

/** Go's `bufio.ErrTooLong`. */
export const ErrTooLong = new Error('bufio.Scanner: token too long')

const EMPTY = Buffer.alloc(0)

/** Reads lines from a stream; pull-based, so the stream is paused while the caller works on a line. */
export class Scanner {
  private readonly chunks: AsyncIterator<Buffer>
  private buf: Buffer = EMPTY
  private token: Buffer = EMPTY
  private eof = false
  private error: Error | null = null

  constructor (r: Readable) {
    this.chunks = r[Symbol.asyncIterator]()
  }

  /** Advance to the next line; `false` at the end of the stream or on an error (see `err()`). */
  async scan (): Promise<boolean> {
    for (;;) {
      if (this.error !== null) return false
      const nl = this.buf.indexOf(0x0a)
      if (nl !== -1) {
        this.token = dropCR(this.buf.subarray(0, nl))
        this.buf = this.buf.subarray(nl + 1)
        return true
      }
      if (this.eof) {
        if (this.buf.length === 0) return false
        this.token = dropCR(this.buf)
        this.buf = EMPTY
        return true
      }
      if (this.buf.length >= MaxScanTokenSize) {
        this.error = ErrTooLong
        return false
      }
      try {
        const next = await this.chunks.next()
        if (next.done === true) this.eof = true
        else this.buf = this.buf.length === 0 ? next.value : Buffer.concat([this.buf, next.value])
      } catch (err) {
        this.error = err instanceof Error ? err : new Error(String(err))
      }
    }
  }

  /** The current line (valid until the next `scan()`). */
  bytes (): Buffer {
    return this.token
  }

  /** The error that stopped the scan; `null` at a clean end of the stream. */
  err (): Error | null {
    return this.error
  }
}

function dropCR (line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line
}
