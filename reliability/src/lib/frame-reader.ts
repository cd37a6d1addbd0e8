/**
 * Frame-level reader for what a server sends: frames are parsed by `@hertz-node/test-kit/frames` (masked or not);
 * this reassembles fragmented messages and extracts the close code and reason, so a test asserts the exact
 * RFC 6455 close code.
 */
import type { ParsedFrame } from '@hertz-node/test-kit/frames'

/** Code and reason of a close frame payload; `code` is undefined for an empty payload (RFC: 1005). */
export function parseClosePayload (payload: Buffer): { code: number | undefined, reason: string } {
  if (payload.length < 2) return { code: undefined, reason: '' }
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') }
}

/** A complete data message as reassembled from its frames. */
export interface Message {
  opcode: number
  data: Buffer
}

/**
 * Accumulates frames into messages. Control frames are kept apart (pings, pongs, the close), so the
 * order of data messages is checked exactly while pongs may interleave anywhere.
 */
export class MessageAssembler {
  readonly messages: Message[] = []
  readonly pings: Buffer[] = []
  readonly pongs: Buffer[] = []
  readonly frames: ParsedFrame[] = []
  closeCode: number | undefined
  closeReason = ''
  closed = false
  /** Protocol violations seen in what the server sent (a server must not mask, set RSV, etc.). */
  readonly violations: string[] = []
  private partial: Buffer[] | null = null
  private partialOp = 0

  /** Feeds one frame. */
  add (f: ParsedFrame): void {
    this.frames.push(f)
    if (f.masked) this.violations.push('server frame is masked')
    if (f.rsv !== 0) this.violations.push(`server frame has RSV ${f.rsv}`)
    if (this.closed) this.violations.push('frame after close')
    switch (f.opcode) {
      case 0x8: {
        const { code, reason } = parseClosePayload(f.payload)
        this.closeCode = code
        this.closeReason = reason
        this.closed = true
        return
      }
      case 0x9: this.pings.push(f.payload); return
      case 0xa: this.pongs.push(f.payload); return
      case 0x0:
        if (this.partial === null) { this.violations.push('continuation without start'); return }
        this.partial.push(f.payload)
        break
      case 0x1: case 0x2:
        if (this.partial !== null) this.violations.push('new message inside a fragmented one')
        this.partial = [f.payload]
        this.partialOp = f.opcode
        break
      default:
        this.violations.push(`reserved opcode ${f.opcode}`)
        return
    }
    if (f.fin) {
      this.messages.push({ opcode: this.partialOp, data: Buffer.concat(this.partial!) })
      this.partial = null
    }
  }
}
