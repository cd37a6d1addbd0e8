import type { Duplex } from 'node:stream'
import { takeWriteBuffer, WritePoolData, type BufferPool } from './buffer-pool.js'
import {
  CloseMessage,
  defaultCompressionLevel,
  defaultMaxWriteQueueBytes,
  defaultWriteBufferSize,
  maxControlFramePayloadSize,
} from '../constants.js'
import { effectiveDeadline, isControl, isData, toBuffer, type Data } from './data.js'
import {
  DeferredError,
  ErrCloseSent,
  WsCompatError,
  WsCompatErrorCode,
  badWriteOpcodeError,
  connClosedError,
  invalidControlFrameError,
  realError,
  socketError,
  type TimeoutOf,
  writeQueueFullError,
  writeTimeoutError,
} from '../errors.js'
import { FIN, FrameWriter, READ_ONLY, RSV1, WHOLE_DEFLATED_MESSAGE, WHOLE_MESSAGE } from './frame-writer.js'
import { MessageWriter, type WriterHost } from './message-writer.js'
import { deflatedPayload, type PreparedMessage } from './prepared.js'
import { WriteCompletions, type CompletionOwner } from './write-completions.js'
import type { PerMessageDeflate } from '../ws-internals.js'

const DONE: Promise<void> = Promise.resolve()

/**
 * What the write queue counts for each pending write besides its payload: its Promise, the socket's queue
 * entry and the frame header cost about 740 bytes of heap (measured with empty messages), so a flood of tiny
 * writes is bounded too, not only one of large ones.
 */
const pendingWriteCost = 1024

function noop (): void {}

/** True when `socket` holds none of its written bytes any more: the OS took them all, without an error. */
export function tookEverything (socket: Duplex): boolean {
  return socket.writableLength === 0 && socket.errored == null && !socket.destroyed
}

/** How the writes of a connection end (see {@link Output.fail}). */
export interface WriteFailure {
  /**
   * The application closed the connection: socket errors then read "use of closed network connection", as in
   * Go. Otherwise the socket is gone.
   */
  local: boolean
  /** Frames already queued (a close frame among them) still go out; only later writes fail. */
  flush?: boolean
}

/** How the write side of a connection is built. */
export interface OutputInit {
  socket: Duplex
  isServer: boolean
  pmd: PerMessageDeflate | null
  /** The window size this side compresses with (see `sendWindowBits`); ignored without `pmd`. */
  windowBits: number
  writeBufferSize?: number | undefined
  writeBufferPool?: BufferPool | undefined
  /** Write queue bound in bytes; `defaultMaxWriteQueueBytes` when undefined, `0` for none. */
  maxWriteQueueBytes?: number | undefined
  /** Told once a close frame is on the socket. */
  link: { closeFrameWritten(): void }
  /** Recognises the timeouts of the connection below in the socket's error. */
  timeoutOf?: TimeoutOf | undefined
}

/**
 * The write side of a `Conn`: the data channel (one message at a time, an open writer holding it), write
 * deadlines and timeouts, compression settings, and gorilla's sticky write error.
 */
export class Output implements WriterHost, CompletionOwner {
  /** `true` once a close frame was handed to the frame writer: nothing may follow it. */
  closeFrameQueued = false
  private readonly socket: Duplex
  private readonly frames: FrameWriter
  private readonly completions: WriteCompletions
  private readonly pmd: PerMessageDeflate | null
  private readonly windowBits: number
  private readonly pool: BufferPool | undefined
  private readonly bufferSize: number
  private readonly maxQueueBytes: number
  /** Payload and cost of the data writes waiting for an open writer to close. */
  private waitingBytes = 0
  private readonly link: { closeFrameWritten(): void }
  private readonly timeoutOf: TimeoutOf | undefined
  private ownBuffer: Buffer | null = null
  private writer: MessageWriter | null = null
  /** Data writes waiting for the open writer to close; null until one had to wait. */
  private waiters: Array<() => void> | null = null
  /** gorilla's sticky write error; deferred (built on first report) when the connection was closed. */
  private writeErr: Error | DeferredError | null = null
  private closedLocally = false
  private deadline = 0
  private timeout = 0
  private compressionEnabled = true
  private compressionLevel = defaultCompressionLevel

  /** @param init - the socket and what the handshake negotiated */
  constructor (init: OutputInit) {
    this.socket = init.socket
    this.frames = new FrameWriter({ socket: init.socket, isServer: init.isServer, pmd: init.pmd, level: defaultCompressionLevel })
    this.completions = new WriteCompletions(this)
    this.pmd = init.pmd
    this.windowBits = init.windowBits
    this.pool = init.writeBufferPool
    this.bufferSize =
      init.writeBufferSize !== undefined && init.writeBufferSize > 0 ? init.writeBufferSize : defaultWriteBufferSize
    this.maxQueueBytes = init.maxWriteQueueBytes ?? defaultMaxWriteQueueBytes
    this.link = init.link
    this.timeoutOf = init.timeoutOf
  }

  /** See `Conn.writeMessage`. */
  writeMessage (messageType: number, data: Data): Promise<void> {
    if (!isData(messageType) && !isControl(messageType)) return Promise.reject(badWriteOpcodeError())
    const payload = toBuffer(data)
    if (isControl(messageType) && payload.length > maxControlFramePayloadSize) return Promise.reject(invalidControlFrameError())
    if (this.overflows(messageType, payload.length)) return Promise.reject(writeQueueFullError())
    if (this.busy()) {
      return this.afterWriter(() => this.writeMessageNow(messageType, payload), payload.length + pendingWriteCost)
    }
    return this.writeMessageNow(messageType, payload)
  }

  /** See `Conn.writeControl`; `deadline` in ms since the epoch, `0` for none. */
  writeControl (messageType: number, data: Data, deadline: number): Promise<void> {
    if (!isControl(messageType)) return Promise.reject(badWriteOpcodeError())
    const payload = toBuffer(data)
    if (payload.length > maxControlFramePayloadSize) return Promise.reject(invalidControlFrameError())
    // A deadline already passed fails without touching the connection, as gorilla's WriteControl.
    if (deadline !== 0 && deadline < Date.now()) return Promise.reject(writeTimeoutError())
    if (this.overflows(messageType, payload.length)) return Promise.reject(writeQueueFullError())
    return this.sendFrame(messageType, payload, WHOLE_MESSAGE, this.withTimeout(deadline))
  }

  /** See `Conn.nextWriter`. */
  nextWriter (messageType: number): Promise<MessageWriter> {
    if (!isData(messageType) && !isControl(messageType)) return Promise.reject(badWriteOpcodeError())
    if (this.busy()) {
      return this.afterWriter(() => this.nextWriterNow(messageType))
    }
    return this.nextWriterNow(messageType)
  }

  /** See `Conn.writePreparedMessage`. */
  writePreparedMessage (pm: PreparedMessage): Promise<void> {
    if (this.overflows(pm.messageType, pm.data.length)) return Promise.reject(writeQueueFullError())
    if (this.busy()) {
      return this.afterWriter(() => this.writePreparedNow(pm), pm.data.length + pendingWriteCost)
    }
    return this.writePreparedNow(pm)
  }

  /**
   * The write queue: bytes written but not yet taken by the kernel (in the socket, waiting for compression or
   * for an open writer), each pending write counted with {@link pendingWriteCost} for its bookkeeping.
   */
  queuedBytes (): number {
    return this.socket.writableLength + this.frames.pendingBytes() + this.waitingBytes +
      this.completions.pending() * pendingWriteCost
  }

  /** Sets the absolute write deadline in ms since the epoch; `0` clears it. */
  setDeadline (deadline: number): void {
    this.deadline = deadline
  }

  /** Sets the per-write timeout in ms (Hertz's `SetWriteTimeout`); `0` clears it. */
  setTimeout (ms: number): void {
    this.timeout = ms > 0 ? ms : 0
  }

  /** See `Conn.enableWriteCompression`. */
  enableCompression (enable: boolean): void {
    this.compressionEnabled = enable
  }

  /** See `Conn.setCompressionLevel`. */
  setCompressionLevel (level: number): void {
    if (!Number.isInteger(level) || level < -2 || level > 9) {
      throw new WsCompatError(WsCompatErrorCode.INVALID_COMPRESSION_LEVEL, 'websocket: invalid compression level')
    }
    this.compressionLevel = level
  }

  /**
   * Fails every pending and later write with `err`.
   *
   * @param err - the error to report
   * @param how - why, and whether what is queued still goes out
   */
  fail (err: Error | DeferredError, how: WriteFailure): void {
    if (how.local) this.closedLocally = true
    this.writeErr ??= err
    if (how.flush !== true) this.frames.fail(err)
    this.releaseWaiters()
  }

  /**
   * Resolves once every frame queued so far is on the socket or failed (a message being compressed is still
   * queued), or after `ms`. Never rejects.
   *
   * @param ms - the longest wait
   */
  flushed (ms: number): Promise<void> {
    return this.flushing(ms) ?? DONE
  }

  /**
   * {@link Output.flushed}, but `undefined` when nothing is pending: by the time a handler returns its frames
   * are nearly always on the socket, and a caller inside a promise callback then returns no Promise for the
   * engine to adopt (two more jobs on the microtask queue).
   *
   * @param ms - the longest wait
   */
  flushing (ms: number): Promise<void> | undefined {
    if (this.completions.pending() === 0) return undefined
    const all = this.completions.allDone()
    return new Promise<void>((resolve) => {
      // Unref'd: a peer that stops reading must not keep the process alive for the whole wait.
      const timer = setTimeout(resolve, ms).unref()
      all.then(() => { clearTimeout(timer); resolve() }, noop)
    })
  }

  /** {@link WriterHost} */
  takeBuffer (): Buffer {
    if (this.pool !== undefined) return takeWriteBuffer(this.pool, this.bufferSize)
    this.ownBuffer ??= Buffer.allocUnsafe(this.bufferSize)
    return this.ownBuffer
  }

  /** {@link WriterHost} */
  releaseBuffer (buf: Buffer): void {
    if (this.pool !== undefined) this.pool.put(new WritePoolData(buf))
  }

  /** {@link WriterHost} */
  writeFrame (opcode: number, payload: Buffer, flags: number): Promise<void> {
    return this.sendFrame(opcode, payload, flags, this.withTimeout(this.deadline))
  }

  /** {@link WriterHost} */
  writerDone (writer: MessageWriter): void {
    if (this.writer === writer) this.releaseWaiters()
  }

  /**
   * Whether a write of `size` bytes must be refused because the write queue would exceed its bound. An empty
   * queue takes a write of any size (as the receive queue takes one large message), and a close frame always
   * goes: it ends the connection and must not be lost behind the data the peer is not reading. A failed
   * connection refuses nothing here: the write then reports the connection's own error.
   */
  private overflows (messageType: number, size: number): boolean {
    if (this.maxQueueBytes === 0 || messageType === CloseMessage || this.writeErr !== null) return false
    const queued = this.queuedBytes()
    return queued > 0 && queued + size + pendingWriteCost > this.maxQueueBytes
  }

  private writeMessageNow (messageType: number, payload: Buffer): Promise<void> {
    const deadline = this.withTimeout(this.deadline)
    if (isControl(messageType)) return this.sendFrame(messageType, payload, WHOLE_MESSAGE, deadline)
    const compress = this.compressing()
    return this.sendFrame(messageType, payload, compress ? WHOLE_DEFLATED_MESSAGE : WHOLE_MESSAGE, deadline)
  }

  private async nextWriterNow (messageType: number): Promise<MessageWriter> {
    if (this.writeErr !== null) throw this.stickyError()
    this.writer = new MessageWriter(this, messageType, isData(messageType) && this.compressing())
    return this.writer
  }

  private writePreparedNow (pm: PreparedMessage): Promise<void> {
    const compress = isData(pm.messageType) && this.compressing()
    const payload = compress ? deflatedPayload(pm, this.compressionLevel, this.windowBits) : pm.data
    // Already deflated once for every connection: RSV1 without DEFLATE.
    return this.sendFrame(pm.messageType, payload, compress ? FIN | RSV1 | READ_ONLY : WHOLE_MESSAGE, this.withTimeout(this.deadline))
  }

  private compressing (): boolean {
    return this.pmd !== null && this.compressionEnabled
  }

  /** The earlier of `deadline` and the per-write timeout from now; `0` when neither is set. */
  private withTimeout (deadline: number): number {
    return effectiveDeadline(deadline, this.timeout)
  }

  /** Sends one frame (`flags` as for `FrameWriter.send`); `deadline` in ms since the epoch, `0` for none. */
  private sendFrame (opcode: number, payload: Buffer, flags: number, deadline: number): Promise<void> {
    if (this.writeErr !== null) return Promise.reject(this.stickyError())
    if (deadline !== 0 && deadline <= Date.now()) return Promise.reject(this.fatal(writeTimeoutError()))
    const isClose = opcode === CloseMessage
    const seq = this.completions.issue(isClose)
    this.frames.send(opcode, payload, flags, this.compressionLevel, this.completions.callback())
    if (isClose) {
      // Nothing may follow a close frame: later writes fail at once.
      this.closeFrameQueued = true
      this.writeErr ??= ErrCloseSent
    }
    // The usual case: the kernel already has the bytes, so there is nothing to wait for (and no deadline timer
    // to arm). The close frame's owner is told by the frame's own callback, whoever waits.
    if (this.frames.idle() && tookEverything(this.socket)) return DONE
    return this.completions.wait(seq, deadline)
  }

  /** {@link CompletionOwner} */
  frameFailed (err: Error): Error {
    return this.fatal(this.wrap(err))
  }

  /** {@link CompletionOwner} */
  timedOut (): Error {
    return this.fatal(writeTimeoutError())
  }

  /** {@link CompletionOwner} */
  closeFrameWritten (): void {
    this.link.closeFrameWritten()
  }

  private stickyError (): Error {
    const err = realError(this.writeErr as Error | DeferredError)
    this.writeErr = err
    return err
  }

  private fatal (err: Error): Error {
    this.writeErr ??= err
    return err
  }

  private wrap (err: Error): Error {
    if (this.closedLocally) return connClosedError()
    // The error the socket was destroyed with says why better than the failed write's own (a timeout of the
    // router's hijacked conn, a reset), which is often just "stream destroyed".
    return err instanceof WsCompatError ? err : socketError(this.socket.errored ?? err, this.timeoutOf)
  }

  /**
   * Whether a data write must wait: a writer is open, or earlier writes already wait for it (they go first).
   * The callers test this before making the closure {@link afterWriter} needs, so an idle connection's
   * write allocates none.
   */
  private busy (): boolean {
    return this.writer !== null || (this.waiters !== null && this.waiters.length > 0)
  }

  /**
   * Queues `fn` until the open writer is closed; `fn` then runs with no writer open.
   *
   * @param cost - what `fn` holds meanwhile, counted in the write queue
   */
  private afterWriter<T>(fn: () => Promise<T>, cost = 0): Promise<T> {
    this.waitingBytes += cost
    return new Promise<T>((resolve) => {
      ;(this.waiters ??= []).push(() => {
        this.waitingBytes -= cost
        resolve(fn())
      })
    })
  }

  private releaseWaiters (): void {
    this.writer = null
    const waiters = this.waiters
    if (waiters === null) return
    while (this.writer === null && waiters.length > 0) (waiters.shift() as () => void)()
  }
}
