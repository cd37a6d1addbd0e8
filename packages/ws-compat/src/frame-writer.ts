import type { Duplex } from 'node:stream'
import { zlibOptionsForLevel } from './deflate.js'
import { realError, type DeferredError } from './errors.js'
import { buildFrame, setDeflateOptions, type PerMessageDeflate } from './ws-internals.js'

/** Called once per frame: `null` when the socket took the bytes, else the error. */
export type FrameCallback = (err: Error | null | undefined) => void

interface PendingFrame {
  opcode: number
  payload: Buffer
  fin: boolean
  rsv1: boolean
  deflate: boolean
  readOnly: boolean
  level: number
  cb: FrameCallback
}

/**
 * Puts frames on the socket strictly in the order they were requested. Compression is asynchronous in
 * zlib, so while a message is being deflated later frames wait in a queue; otherwise a frame goes to the
 * socket at once with no allocation beyond its header.
 */
export class FrameWriter {
  private readonly socket: Duplex
  private readonly mask: boolean
  private readonly pmd: PerMessageDeflate | null
  private busy = false
  /** Frames waiting while a message is compressed; null until one had to wait. */
  private queue: PendingFrame[] | null = null
  private level: number
  private failure: Error | DeferredError | null = null
  /** Payload bytes in `queue`, plus those of the message being compressed. */
  private waiting = 0

  /**
   * @param socket - the connection
   * @param isServer - servers send unmasked frames, clients masked ones
   * @param pmd - the negotiated permessage-deflate, or `null`
   * @param level - the compression level the deflater was created with
   */
  constructor(socket: Duplex, isServer: boolean, pmd: PerMessageDeflate | null, level: number) {
    this.socket = socket
    this.mask = !isServer
    this.pmd = pmd
    this.level = level
  }

  /**
   * Sends one frame of a message.
   *
   * @param opcode - the frame's opcode (0 for a continuation)
   * @param payload - the payload, uncompressed
   * @param fin - last frame of the message
   * @param rsv1 - set RSV1: the first frame of a compressed message
   * @param deflate - deflate the payload here (every frame of a compressed message; `false` for a
   *   payload that is already compressed)
   * @param readOnly - the payload belongs to the caller and must not be masked in place
   * @param level - the compression level for a message that starts here
   * @param cb - called when the socket took the frame, or with the error
   */
  send(
    opcode: number,
    payload: Buffer,
    fin: boolean,
    rsv1: boolean,
    deflate: boolean,
    readOnly: boolean,
    level: number,
    cb: FrameCallback,
  ): void {
    if (this.failure !== null) {
      process.nextTick(cb, this.failureError())
      return
    }
    if (this.busy) {
      ;(this.queue ??= []).push({ opcode, payload, fin, rsv1, deflate, readOnly, level, cb })
      this.waiting += payload.length
      return
    }
    const pmd = this.pmd
    if (!deflate || pmd === null) {
      this.write(buildFrame(payload, { fin, opcode, rsv1, mask: this.mask, readOnly }), cb)
      return
    }
    if (rsv1 && level !== this.level) {
      // Only between messages: a new level must not change the deflate stream mid-message.
      setDeflateOptions(pmd, zlibOptionsForLevel(level))
      this.level = level
    }
    this.busy = true
    this.waiting += payload.length
    pmd.compress(payload, fin, (err, deflated) => {
      this.busy = false
      this.waiting -= payload.length
      if (err != null || deflated === undefined) {
        const failure = err ?? new Error('deflate produced no data')
        cb(failure)
        this.fail(failure)
        return
      }
      if (this.failure !== null) {
        cb(this.failureError())
        return
      }
      this.write(buildFrame(deflated, { fin, opcode, rsv1, mask: this.mask, readOnly: false }), cb)
      this.drain()
    })
  }

  /** True when no frame waits here (none is being compressed): a frame sent now went straight to the socket. */
  idle(): boolean {
    return !this.busy && (this.queue === null || this.queue.length === 0) && this.failure === null
  }

  /** Payload bytes not yet handed to the socket: queued behind a message being compressed, or that message's. */
  pendingBytes(): number {
    return this.waiting
  }

  /** Fails every frame not yet on the socket, and every later one, with `err` (built when first reported). */
  fail(err: Error | DeferredError): void {
    if (this.failure !== null) return
    this.failure = err
    const queue = this.queue
    if (queue === null || queue.length === 0) return
    this.queue = null
    for (const frame of queue) this.waiting -= frame.payload.length
    const failure = this.failureError()
    for (const frame of queue) process.nextTick(frame.cb, failure)
  }

  private failureError(): Error {
    const err = realError(this.failure as Error | DeferredError)
    this.failure = err
    return err
  }

  private drain(): void {
    // `this.queue` is read again each time: a failure meanwhile drops it (and fails its frames itself).
    while (!this.busy && this.queue !== null && this.queue.length > 0) {
      const f = this.queue.shift() as PendingFrame
      this.waiting -= f.payload.length
      this.send(f.opcode, f.payload, f.fin, f.rsv1, f.deflate, f.readOnly, f.level, f.cb)
    }
  }

  private write(list: Buffer[], cb: FrameCallback): void {
    const socket = this.socket
    if (list.length === 1) {
      socket.write(list[0], cb)
      return
    }
    socket.cork()
    for (let i = 0; i < list.length - 1; i++) socket.write(list[i])
    socket.write(list[list.length - 1], cb)
    socket.uncork()
  }
}
