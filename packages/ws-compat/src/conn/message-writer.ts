import { maxControlFramePayloadSize } from '../constants.js'
import { WsCompatError, WsCompatErrorCode, invalidControlFrameError } from '../errors.js'
import { isControl, toBuffer, type Data } from './data.js'
import { DEFLATE, FIN, READ_ONLY, RSV1 } from './frame-writer.js'

/** What a {@link MessageWriter} needs from its connection. */
export interface WriterHost {
  /** A write buffer, from the pool when there is one. */
  takeBuffer(): Buffer
  /** Gives the buffer back (to the pool when there is one). */
  releaseBuffer(buf: Buffer): void
  /** Sends one frame (`flags` as for `FrameWriter.send`); resolves when the socket took it. */
  writeFrame(opcode: number, payload: Buffer, flags: number): Promise<void>
  /** The writer is done; queued writes may go. */
  writerDone(writer: MessageWriter): void
}

const noop = (): void => {}

/**
 * The writer `conn.nextWriter(type)` returns (gorilla's `io.WriteCloser`): data is staged in a buffer of
 * `writeBufferSize` bytes (taken from the `writeBufferPool` when there is one); each time the buffer fills
 * a fragment goes out, and `close()` sends the final fragment and gives the buffer back.
 *
 * Calls are serialised: a `write` that is not awaited still completes before the next one starts, so the
 * staged bytes are never overwritten while the socket holds them.
 */
export class MessageWriter {
  private readonly host: WriterHost
  private readonly frameType: number
  private readonly compress: boolean
  private buf: Buffer | null
  private pos = 0
  private first = true
  private err: Error | null = null
  private chain: Promise<unknown> = Promise.resolve()

  /**
   * Made by `Conn.nextWriter`; not meant to be called directly.
   * @param host - the connection
   * @param frameType - the message type
   * @param compress - whether the message is deflated
   */
  constructor (host: WriterHost, frameType: number, compress: boolean) {
    this.host = host
    this.frameType = frameType
    this.compress = compress
    this.buf = host.takeBuffer()
  }

  /**
   * Appends `data` to the message; resolves with its byte length once staged (or sent, when the buffer
   * filled up).
   *
   * @param data - bytes or a string (UTF-8)
   */
  write (data: Data): Promise<number> {
    const p = this.chain.then(() => this.append(toBuffer(data)))
    this.chain = p.catch(noop)
    return p
  }

  /** Sends the final fragment and releases the buffer. A second call rejects with "websocket: write closed". */
  close (): Promise<void> {
    const p = this.chain.then(() => {
      if (this.err !== null) throw this.err
      return this.flush(true, null)
    })
    this.chain = p.catch(noop)
    return p
  }

  private async append (data: Buffer): Promise<number> {
    if (this.err !== null) throw this.err
    const buf = this.buf as Buffer
    const n = data.length
    if (n > 2 * buf.length && !isControl(this.frameType)) {
      // A large write is sent as its own fragment rather than copied through the buffer.
      if (this.pos > 0) await this.flush(false, null)
      await this.flush(false, data)
      return n
    }
    let offset = 0
    while (offset < n) {
      if (this.pos === buf.length) await this.flush(false, null)
      const copied = data.copy(buf, this.pos, offset)
      this.pos += copied
      offset += copied
    }
    return n
  }

  private async flush (final: boolean, extra: Buffer | null): Promise<void> {
    const payload = extra ?? (this.buf as Buffer).subarray(0, this.pos)
    if (isControl(this.frameType) && (!final || payload.length > maxControlFramePayloadSize)) {
      const err = invalidControlFrameError()
      this.end(err)
      throw err
    }
    const opcode = this.first ? this.frameType : 0
    let flags = final ? FIN : 0
    if (this.compress) flags |= this.first ? RSV1 | DEFLATE : DEFLATE
    // A large write goes out as the caller's own buffer; the staging buffer is this writer's.
    if (extra !== null) flags |= READ_ONLY
    this.first = false
    try {
      await this.host.writeFrame(opcode, payload, flags)
    } catch (err) {
      this.end(err as Error)
      throw err
    }
    if (extra === null) this.pos = 0
    if (final) this.end(new WsCompatError(WsCompatErrorCode.WRITE_CLOSED, 'websocket: write closed'))
  }

  private end (err: Error): void {
    if (this.err !== null) return
    this.err = err
    const buf = this.buf
    this.buf = null
    if (buf !== null) this.host.releaseBuffer(buf)
    this.host.writerDone(this)
  }
}
