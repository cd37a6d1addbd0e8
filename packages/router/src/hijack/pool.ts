import type { Socket } from 'node:net'
import { HertzError, HertzErrorCode } from '../errors.js'
import { lingeringClose } from './lingering-close.js'

// The reusable part of a hijacked connection and the pool that recycles it; hijack.ts hands each use out as a
// HijackConn lease.

const EMPTY = Buffer.alloc(0)
const POOL_LIMIT = 1024

interface Waiter {
  resolve: (chunk: Buffer | null) => void
  reject: (err: Error) => void
}

/** The error of any use of a closed conn. */
export function closedError (): HertzError {
  return new HertzError(HertzErrorCode.HIJACK_CONN_CLOSED, 'use of closed hijacked connection')
}

// The socket listeners are shared functions that find their core on the socket: no closures per core, which
// matters when thousands of hijacked connections sit idle.
const kCore = Symbol('connCore')
type CoreSocket = Socket & { [kCore]?: ConnCore | undefined }

function coreOnReadable (this: Socket): void { (this as CoreSocket)[kCore]?.onReadable() }
function coreOnEnd (this: Socket): void { (this as CoreSocket)[kCore]?.onEnd() }
function coreOnClose (this: Socket): void { (this as CoreSocket)[kCore]?.onClose() }
function coreOnError (this: Socket, err: Error): void { (this as CoreSocket)[kCore]?.onError(err) }
function coreTick (core: ConnCore): void { core.checkDeadlines() }

/**
 * The reusable part of a hijacked connection: read queue, deadlines and the socket listeners. With the pool on,
 * cores are recycled; each use is handed out through a fresh {@link HijackConn} lease so a stale reference is
 * detected instead of touching the next connection.
 */
export class ConnCore {
  socket: Socket | null = null
  head: Buffer = EMPTY
  gen = 0
  closed = false
  released = false
  ended = false
  error: Error | null = null
  private headPending = false
  private readonly waiters: Waiter[] = []
  private listening = false
  private readTimeout = 0
  private writeTimeout = 0
  private timer: NodeJS.Timeout | null = null
  private seenRead = 0
  private seenReadAt = 0
  private seenWritten = 0
  private seenWrittenAt = 0

  /** Binds the core to a socket and the bytes already read past the request head. */
  attach (socket: Socket, head: Buffer | null): void {
    this.socket = socket
    // An empty head is still a view of the socket's last read: keeping it would pin that whole buffer.
    this.headPending = head !== null && head.length > 0
    this.head = this.headPending ? head as Buffer : EMPTY
    this.closed = false
    this.released = false
    this.ended = socket.readableEnded || socket.destroyed
    this.error = null
    ;(socket as CoreSocket)[kCore] = this
    socket.on('error', coreOnError)
    socket.on('close', coreOnClose)
  }

  /** Handles the socket's 'readable' (through a shared listener). */
  onReadable (): void {
    this.serve()
  }

  /** Handles the socket's 'end' (through a shared listener). */
  onEnd (): void {
    this.ended = true
    this.serve()
  }

  /** Handles the socket's 'close' (through a shared listener). */
  onClose (): void {
    this.ended = true
    this.stopTimer()
    this.serve()
  }

  /** Handles the socket's 'error' (through a shared listener). */
  onError (err: Error): void {
    if (this.error === null) this.error = err
    this.serve()
  }

  read (): Promise<Buffer | null> {
    if (this.error !== null) return Promise.reject(this.error)
    if (this.closed) return Promise.reject(closedError())
    if (this.headPending) {
      this.headPending = false
      return Promise.resolve(this.head)
    }
    const socket = this.socket as Socket
    if (!this.listening) {
      this.listening = true
      socket.on('readable', coreOnReadable)
      socket.on('end', coreOnEnd)
    }
    const chunk = socket.read() as Buffer | null
    if (chunk !== null) return Promise.resolve(chunk)
    if (this.ended) return Promise.resolve(null)
    return new Promise((resolve, reject) => { this.waiters.push({ resolve, reject }) })
  }

  private serve (): void {
    const socket = this.socket
    while (this.waiters.length > 0) {
      if (this.error !== null) { (this.waiters.shift() as Waiter).reject(this.error); continue }
      if (this.closed) { (this.waiters.shift() as Waiter).reject(closedError()); continue }
      const chunk = socket === null ? null : socket.read() as Buffer | null
      if (chunk !== null) { (this.waiters.shift() as Waiter).resolve(chunk); continue }
      if (this.ended) { (this.waiters.shift() as Waiter).resolve(null); continue }
      break
    }
  }

  write (data: string | Uint8Array): Promise<void> {
    if (this.error !== null) return Promise.reject(this.error)
    if (this.closed) return Promise.reject(closedError())
    const socket = this.socket as Socket
    return new Promise((resolve, reject) => {
      socket.write(data, (err) => { if (err) reject(err); else resolve() })
    })
  }

  /**
   * Closes the socket once pending writes are out, without a reset (see {@link lingeringClose}). Pending reads
   * reject with `HERTZ_ERR_HIJACK_CONN_CLOSED`.
   */
  close (): void {
    if (this.closed) return
    this.closed = true
    this.stopTimer()
    const socket = this.socket
    if (socket !== null && !socket.destroyed) {
      // A 'readable' listener would keep the socket from flowing, and nothing will read it any more.
      if (this.listening) {
        socket.removeListener('readable', coreOnReadable)
        this.listening = false
      }
      lingeringClose(socket)
    }
    this.serve()
  }

  setReadTimeout (ms: number): void {
    this.readTimeout = ms
    this.seenRead = this.socket?.bytesRead ?? 0
    this.seenReadAt = Date.now()
    this.armTimer()
  }

  setWriteTimeout (ms: number): void {
    this.writeTimeout = ms
    const socket = this.socket
    this.seenWritten = socket === null ? 0 : socket.bytesWritten - socket.writableLength
    this.seenWrittenAt = Date.now()
    this.armTimer()
  }

  private armTimer (): void {
    this.stopTimer()
    const shortest = Math.min(this.readTimeout || Infinity, this.writeTimeout || Infinity)
    if (shortest === Infinity || this.closed) return
    // Deadlines are checked by polling the byte counters: no extra 'data' listener that could switch the
    // socket to flowing mode under whoever else reads it.
    this.timer = setInterval(coreTick, Math.max(5, Math.floor(shortest / 4)), this)
    this.timer.unref()
  }

  private stopTimer (): void {
    if (this.timer !== null) {
      clearInterval(this.timer)
      this.timer = null
    }
  }

  /** Polled while a read or write timeout is set. */
  checkDeadlines (): void {
    const socket = this.socket
    if (socket === null || socket.destroyed) { this.stopTimer(); return }
    const now = Date.now()
    if (this.readTimeout > 0) {
      if (socket.bytesRead !== this.seenRead) {
        this.seenRead = socket.bytesRead
        this.seenReadAt = now
      } else if (now - this.seenReadAt >= this.readTimeout) {
        this.fail(new HertzError(HertzErrorCode.READ_TIMEOUT, 'i/o timeout: no data read within the read timeout'))
        return
      }
    }
    if (this.writeTimeout > 0) {
      // bytesWritten counts queued bytes too; minus what is still queued, it is what the OS has taken.
      const flushed = socket.bytesWritten - socket.writableLength
      if (socket.writableLength === 0 || flushed !== this.seenWritten) {
        this.seenWritten = flushed
        this.seenWrittenAt = now
      } else if (now - this.seenWrittenAt >= this.writeTimeout) {
        this.fail(new HertzError(HertzErrorCode.WRITE_TIMEOUT, 'i/o timeout: pending data not written within the write timeout'))
      }
    }
  }

  private fail (err: HertzError): void {
    this.stopTimer()
    if (this.error === null) this.error = err
    this.socket?.destroy(err)
    this.serve()
  }

  /** Detaches from the socket and invalidates every lease handed out so far; `forget` drops the socket too. */
  release (forget: boolean): void {
    this.gen++
    this.released = true
    this.closed = true
    this.stopTimer()
    this.serve()
    const socket = this.socket
    if (socket !== null) {
      socket.removeListener('readable', coreOnReadable)
      socket.removeListener('end', coreOnEnd)
      socket.removeListener('error', coreOnError)
      socket.removeListener('close', coreOnClose)
      if ((socket as CoreSocket)[kCore] === this) (socket as CoreSocket)[kCore] = undefined
    }
    if (forget) {
      this.socket = null
      this.head = EMPTY
    }
    this.listening = false
    this.readTimeout = 0
    this.writeTimeout = 0
    this.waiters.length = 0
  }
}

/** Recycles {@link ConnCore}s for an engine. */
export class HijackConnPool {
  private readonly free: ConnCore[] = []

  /** A core from the pool (or a new one when `pooled` is false or the pool is empty). */
  acquire (pooled: boolean): ConnCore {
    return (pooled ? this.free.pop() : undefined) ?? new ConnCore()
  }

  /** Releases `core` and, when `pooled`, keeps it for reuse. */
  release (core: ConnCore, pooled: boolean): void {
    if (core.released) return
    core.release(pooled)
    if (pooled && this.free.length < POOL_LIMIT) this.free.push(core)
  }
}
