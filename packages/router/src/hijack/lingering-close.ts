import type { Socket } from 'node:net'
import { SocketDeadline } from './socket-deadline.js'

/** How long a closed conn waits, once its pending writes are out, for the peer to close its side too. */
const LINGER_MS = 1000

/** Options of {@link lingeringClose}. */
export interface LingeringCloseOptions {
  /** How long to wait (ms) for the peer, once the pending writes are out, before destroying. Default 1000. */
  lingerMs?: number
}

/** A lingering socket's deadline, and how long it is once the writes are out. */
class Lingering extends SocketDeadline {
  constructor (socket: Socket, readonly ms: number) {
    super(socket)
  }
}

// Shared listeners that find the deadline on the socket: a close per connection allocates one object, not two
// `once` wrappers and the closures they call.
const kLingering = Symbol('lingering')
type LingeringSocket = Socket & { [kLingering]?: Lingering }

function lingerOnFinish (this: Socket): void {
  const lingering = (this as LingeringSocket)[kLingering]
  if (lingering !== undefined && !this.destroyed) lingering.start(lingering.ms)
}

function lingerOnClose (this: Socket): void {
  ;(this as LingeringSocket)[kLingering]?.cancel()
}

/**
 * Closes `socket` without resetting it: the FIN follows the pending writes, and the peer's further input is
 * read and discarded until the peer closes too, or `lingerMs` after the FIN. Destroying a socket with unread
 * input makes the kernel answer RST, and a peer still sending (a WebSocket client after a protocol error, say)
 * would lose the last bytes written to it - Go's lingering close. A second call on a lingering socket, or a call
 * on a destroyed one, changes nothing.
 *
 * @param socket - the connection to close
 * @param opts - how long to linger
 */
export function lingeringClose (socket: Socket, opts: LingeringCloseOptions = {}): void {
  if (socket.destroyed || (socket as LingeringSocket)[kLingering] !== undefined) return
  const lingering = new Lingering(socket, opts.lingerMs ?? LINGER_MS)
  ;(socket as LingeringSocket)[kLingering] = lingering
  socket.on('close', lingerOnClose)
  if (socket.writableFinished) lingering.start(lingering.ms)
  else socket.on('finish', lingerOnFinish)
  socket.end()
  socket.on('data', discard)
  socket.resume()
}

function discard (): void {}
