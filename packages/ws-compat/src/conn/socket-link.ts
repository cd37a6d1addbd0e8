import type { Duplex } from 'node:stream'
import { deferredConnClosed } from '../errors.js'
import { SocketDeadline } from '@hertz-node/adaptor'
import type { Output } from './output.js'

/**
 * What the link drives on the read side (the connection's `Input`). Declared here, not imported: the read
 * side uses this file's `'data'` listener, and the two files must not import each other.
 */
export interface LinkedInput {
  /** `true` once nothing more will be parsed. */
  readonly done: boolean
  /** Parses socket bytes. */
  write(chunk: Buffer): void
  /** The peer ended its side of the stream. */
  socketEnded(): void
  /** The socket failed. */
  socketFailed(err: Error): void
  /** The socket is gone. */
  socketClosed(): void
  /** Parses nothing more; the socket's further input drains away. */
  discard(): void
}

interface TcpLike {
  setNoDelay?: (noDelay: boolean) => unknown
  setTimeout?: (ms: number) => unknown
}

const kLink = Symbol('socketLink')
const SOCKET_GONE = { local: false } as const
type LinkedSocket = Duplex & { [kLink]?: SocketLink }

/** The link of a socket a connection lives on, if any. */
export function linkOf (socket: Duplex): SocketLink | undefined {
  return (socket as LinkedSocket)[kLink]
}

// Shared socket listeners that find their link on the socket, as `ws` does: no closures per connection, and
// one property on the socket.

/** The socket's `'data'` listener: feeds the bytes to the connection's read side. */
export function socketOnData (this: Duplex, chunk: Buffer): void {
  ;(this as LinkedSocket)[kLink]?.input?.write(chunk)
}
function socketOnEnd (this: Duplex): void {
  ;(this as LinkedSocket)[kLink]?.onEnd()
}
function socketOnError (this: Duplex, err: Error): void {
  ;(this as LinkedSocket)[kLink]?.input?.socketFailed(err)
}
function socketOnClose (this: Duplex): void {
  ;(this as LinkedSocket)[kLink]?.onClose()
}

/**
 * How a connection lives on its socket: the socket's bytes go to the read side, its end, errors and close
 * end both sides, and the TCP connection is ended once a close frame went out and no more input will be
 * read (both close frames seen, or the peer broke the protocol).
 */
export class SocketLink {
  /** The read side, once attached. */
  input: LinkedInput | null = null
  /** The write side, once attached. */
  output: Output | null = null
  private readonly socket: Duplex
  private closeWritten = false
  private socketClosed = false
  /** Destroys the socket if the peer does not close it while it lingers. */
  private deadline: SocketDeadline | null = null

  /** @param socket - the upgraded socket */
  constructor (socket: Duplex) {
    this.socket = socket
  }

  /**
   * Starts reading. `head` (bytes read past the handshake) is parsed first; a socket that ended or closed
   * during the handshake, whose events are already past, is treated as if they came now.
   *
   * @param input - the read side
   * @param output - the write side
   * @param head - bytes read past the handshake
   */
  attach (input: LinkedInput, output: Output, head: Buffer): void {
    const socket = this.socket
    this.input = input
    this.output = output
    ;(socket as LinkedSocket)[kLink] = this
    socket.on('data', socketOnData)
    socket.on('end', socketOnEnd)
    socket.on('error', socketOnError)
    socket.on('close', socketOnClose)
    const tcp = socket as TcpLike
    if (typeof tcp.setNoDelay === 'function') tcp.setNoDelay(true)
    // An idle timeout inherited from the HTTP server would cut long-lived connections; deadlines replace it.
    if (typeof tcp.setTimeout === 'function') tcp.setTimeout(0)
    if (head.length > 0) input.write(head)
    if (socket.readableEnded) input.socketEnded()
    if (socket.destroyed) process.nextTick(() => this.onClose())
  }

  /** A close frame is on the socket. */
  closeFrameWritten (): void {
    this.closeWritten = true
    this.maybeEnd()
  }

  /**
   * Closes the connection after a close frame without losing that frame. Destroying a socket with unread
   * input makes the kernel answer RST, and a peer that is still sending (it has not read the close frame
   * yet) then never reads it. So the frames already queued go out, the socket is half-closed behind the
   * close frame, and the peer's further input is discarded until it closes its side too - or until `ms`
   * pass, when the socket is destroyed (ws's `closeTimeout`, Go's lingering close).
   *
   * @param ms - the longest wait for the peer
   */
  linger (ms: number): void {
    const socket = this.socket
    if (this.socketClosed || socket.destroyed) return
    ;(this.deadline ??= new SocketDeadline(socket)).start(ms)
    // Input done: the socket is ended as soon as the close frame is on it (at once if it is already).
    this.input?.discard()
  }

  /** The read side will parse nothing more. */
  inputDone (): void {
    this.maybeEnd()
  }

  /** The peer ended its side: parse what is left, and end ours. */
  onEnd (): void {
    this.input?.socketEnded()
    if (!this.socket.writableEnded) this.socket.end()
  }

  /** The socket is gone: both sides end. */
  onClose (): void {
    if (this.socketClosed) return
    this.socketClosed = true
    this.deadline?.cancel()
    this.input?.socketClosed()
    this.output?.fail(deferredConnClosed, SOCKET_GONE)
  }

  private maybeEnd (): void {
    if (this.closeWritten && this.input?.done === true && !this.socket.writableEnded) this.socket.end()
  }
}
