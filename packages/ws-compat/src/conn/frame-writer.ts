import type { Duplex } from 'node:stream'
import { zlibOptionsForLevel } from './compression.js'
import { realError, type DeferredError } from '../errors.js'
import { buildFrame, setDeflateOptions, type FrameOptions, type PerMessageDeflate } from '../ws-internals.js'

/** Called once per frame: `null` when the socket took the bytes, else the error. */
export type FrameCallback = (err: Error | null | undefined) => void

// What a frame is, as bits or-ed into one number: the options of every frame without an object per frame
// (the send path allocates nothing beyond the frame header), and a readable call site where four positional
// booleans used to be.
/** Last frame of the message (FIN). */
export const FIN = 1
/** RSV1: the first frame of a compressed message. */
export const RSV1 = 2
/** Deflate the payload here: every frame of a compressed message, unless the payload is compressed already. */
export const DEFLATE = 4
/** The payload belongs to the caller and must not be masked in place. */
export const READ_ONLY = 8

/** A whole message in one frame, uncompressed (control frames among them). */
export const WHOLE_MESSAGE = FIN | READ_ONLY
/** A whole message in one frame, deflated here. */
export const WHOLE_DEFLATED_MESSAGE = FIN | RSV1 | DEFLATE | READ_ONLY

/**
 * `ws`'s options of the frame being built, one object for every writer: `Sender.frame` reads them
 * synchronously and keeps no reference, so neither a frame nor a connection needs its own.
 */
const frameOptions: FrameOptions = { fin: false, opcode: 0, rsv1: false, mask: false, readOnly: false }

interface PendingFrame {
  opcode: number
  payload: Buffer
  flags: number
  level: number
  cb: FrameCallback
}

/** How a {@link FrameWriter} is built. */
export interface FrameWriterInit {
  socket: Duplex
  /** Servers send unmasked frames, clients masked ones. */
  isServer: boolean
  /** The negotiated permessage-deflate, or `null`. */
  pmd: PerMessageDeflate | null
  /** The compression level the deflater was created with. */
  level: number
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

  /** @param init - the socket, its side, and the negotiated compression */
  constructor (init: FrameWriterInit) {
    this.socket = init.socket
    this.mask = !init.isServer
    this.pmd = init.pmd
    this.level = init.level
  }

  /**
   * Sends one frame of a message.
   *
   * @param opcode - the frame's opcode (0 for a continuation)
   * @param payload - the payload, uncompressed
   * @param flags - {@link FIN}, {@link RSV1}, {@link DEFLATE}, {@link READ_ONLY}, or-ed
   * @param level - the compression level for a message that starts here
   * @param cb - called when the socket took the frame, or with the error
   */
  send (opcode: number, payload: Buffer, flags: number, level: number, cb: FrameCallback): void {
    if (this.failure !== null) {
      process.nextTick(cb, this.failureError())
      return
    }
    if (this.busy) {
      ;(this.queue ??= []).push({ opcode, payload, flags, level, cb })
      this.waiting += payload.length
      return
    }
    const pmd = this.pmd
    if ((flags & DEFLATE) === 0 || pmd === null) {
      this.write(this.frame(payload, opcode, flags), cb)
      return
    }
    if ((flags & RSV1) !== 0 && level !== this.level) {
      // Only between messages: a new level must not change the deflate stream mid-message.
      setDeflateOptions(pmd, zlibOptionsForLevel(level))
      this.level = level
    }
    this.busy = true
    this.waiting += payload.length
    pmd.compress(payload, (flags & FIN) !== 0, (err, deflated) => {
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
      // The deflated bytes are this writer's own: they may be masked in place.
      this.write(this.frame(deflated, opcode, flags & ~READ_ONLY), cb)
      this.drain()
    })
  }

  /** True when no frame waits here (none is being compressed): a frame sent now went straight to the socket. */
  idle (): boolean {
    return !this.busy && (this.queue === null || this.queue.length === 0) && this.failure === null
  }

  /** Payload bytes not yet handed to the socket: queued behind a message being compressed, or that message's. */
  pendingBytes (): number {
    return this.waiting
  }

  /** Fails every frame not yet on the socket, and every later one, with `err` (built when first reported). */
  fail (err: Error | DeferredError): void {
    if (this.failure !== null) return
    this.failure = err
    const queue = this.queue
    if (queue === null || queue.length === 0) return
    this.queue = null
    for (const frame of queue) this.waiting -= frame.payload.length
    const failure = this.failureError()
    for (const frame of queue) process.nextTick(frame.cb, failure)
  }

  private failureError (): Error {
    const err = realError(this.failure as Error | DeferredError)
    this.failure = err
    return err
  }

  private drain (): void {
    // `this.queue` is read again each time: a failure meanwhile drops it (and fails its frames itself).
    while (!this.busy && this.queue !== null && this.queue.length > 0) {
      const f = this.queue.shift() as PendingFrame
      this.waiting -= f.payload.length
      this.send(f.opcode, f.payload, f.flags, f.level, f.cb)
    }
  }

  /** The frame's header, and its payload masked when this side masks. */
  private frame (payload: Buffer, opcode: number, flags: number): Buffer[] {
    const options = frameOptions
    options.mask = this.mask
    options.opcode = opcode
    options.fin = (flags & FIN) !== 0
    options.rsv1 = (flags & RSV1) !== 0
    options.readOnly = (flags & READ_ONLY) !== 0
    return buildFrame(payload, options)
  }

  private write (list: Buffer[], cb: FrameCallback): void {
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
