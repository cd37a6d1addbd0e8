/**
 * Frame-level reader for what a server sends: parses frames (masked or not), reassembles fragmented
 * messages and extracts the close code and reason, so a test asserts the exact RFC 6455 close code.
 */

/** One decoded frame. */
export interface ParsedFrame {
  fin: boolean
  rsv: number
  opcode: number
  masked: boolean
  payload: Buffer
}

/**
 * Tries to decode one frame at the start of `buf`.
 * @returns the frame and the bytes it used, or null when `buf` holds only part of a frame.
 */
export function parseFrame (buf: Buffer): { frame: ParsedFrame, used: number } | null {
  if (buf.length < 2) return null
  const b0 = buf[0]!
  const b1 = buf[1]!
  const masked = (b1 & 0x80) !== 0
  let len = b1 & 0x7f
  let off = 2
  if (len === 126) {
    if (buf.length < 4) return null
    len = buf.readUInt16BE(2)
    off = 4
  } else if (len === 127) {
    if (buf.length < 10) return null
    const big = buf.readBigUInt64BE(2)
    // A server frame this large is itself a bug worth reporting, not something to wait for.
    if (big > BigInt(256 * 1024 * 1024)) throw new Error(`server frame declares ${big} bytes`)
    len = Number(big)
    off = 10
  }
  const maskAt = off
  if (masked) off += 4
  if (buf.length < off + len) return null
  let payload = buf.subarray(off, off + len)
  if (masked) {
    const key = buf.subarray(maskAt, maskAt + 4)
    payload = Buffer.from(payload)
    for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ key[i & 3]!
  }
  return {
    frame: { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload },
    used: off + len
  }
}

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
