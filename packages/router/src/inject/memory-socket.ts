import { Duplex } from 'node:stream'
import type { AddressInfo } from 'node:net'

// Two ends of a connection in memory, shaped like a net.Socket as far as node:http, the router's pipeline and the
// WebSocket code use one: byte counters, setTimeout with 'timeout', destroySoon, addresses, no-op TCP knobs.
// Backpressure holds: a write completes only once the other end has room for it.

const LOOPBACK: AddressInfo = { address: '127.0.0.1', family: 'IPv4', port: 0 }

function epipe (): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('write EPIPE: the other end of the in-memory connection is closed')
  err.code = 'EPIPE'
  return err
}

/** One end of an in-memory connection (see {@link memorySocketPair}). */
export class MemorySocket extends Duplex {
  /** Bytes received from the other end. */
  bytesRead = 0
  /** Bytes sent to the other end. */
  bytesWritten = 0
  readonly remoteAddress = LOOPBACK.address
  readonly remoteFamily = LOOPBACK.family
  readonly remotePort = LOOPBACK.port
  readonly localAddress = LOOPBACK.address
  readonly localFamily = LOOPBACK.family
  readonly localPort = LOOPBACK.port
  readonly connecting = false
  peer!: MemorySocket
  /** The write waiting for the other end to read (backpressure). */
  #blocked: (() => void) | null = null
  #idle = 0
  #timer: NodeJS.Timeout | null = null

  constructor () {
    // As a TCP socket: the end of the other side's writes ends this side's too.
    super({ allowHalfOpen: false })
  }

  override _read (): void {
    const resume = this.peer.#blocked
    this.peer.#blocked = null
    resume?.()
  }

  override _write (chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const peer = this.peer
    if (peer.destroyed || peer.readableEnded) {
      cb(epipe())
      return
    }
    this.bytesWritten += chunk.length
    peer.bytesRead += chunk.length
    this.#active()
    peer.#active()
    if (peer.push(chunk)) cb()
    else this.#blocked = () => { cb() }
  }

  override _final (cb: (err?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.push(null)
    cb()
  }

  override _destroy (err: Error | null, cb: (err: Error | null) => void): void {
    this.#clearTimer()
    const peer = this.peer
    // The other end reads the end of the stream, as after a FIN.
    if (!peer.destroyed && !peer.readableEnded) peer.push(null)
    this.#blocked = null
    cb(err)
  }

  /** Emits 'timeout' after `ms` without bytes in either direction; 0 turns it off (as net.Socket#setTimeout). */
  setTimeout (ms: number, cb?: () => void): this {
    this.#idle = ms
    if (cb !== undefined) this.once('timeout', cb)
    this.#active()
    return this
  }

  #active (): void {
    this.#clearTimer()
    if (this.#idle > 0 && !this.destroyed) {
      this.#timer = setTimeout(() => { this.emit('timeout') }, this.#idle)
      this.#timer.unref()
    }
  }

  #clearTimer (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  /** Ends the writable side and destroys the socket once its writes are out (as net.Socket#destroySoon). */
  destroySoon (): void {
    if (this.writable) this.end()
    if (this.writableFinished) this.destroy()
    else this.once('finish', () => { this.destroy() })
  }

  address (): AddressInfo {
    return { ...LOOPBACK }
  }

  setNoDelay (): this { return this }
  setKeepAlive (): this { return this }
  ref (): this { return this }
  unref (): this { return this }
}

/** Two connected ends: what one writes the other reads. */
export function memorySocketPair (): [MemorySocket, MemorySocket] {
  const a = new MemorySocket()
  const b = new MemorySocket()
  a.peer = b
  b.peer = a
  return [a, b]
}
