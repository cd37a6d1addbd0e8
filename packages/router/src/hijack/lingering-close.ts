import type { Socket } from 'node:net'
import { SocketDeadline } from './socket-deadline.js'

/** How long a closed conn waits, once its pending writes are out, for the peer to close its side too. */
const LINGER_MS = 1000

/** Options of {@link lingeringClose}. */
export interface LingeringCloseOptions {
  /** How long to wait (ms) for the peer, once the pending writes are out, before destroying. Default 1000. */
  lingerMs?: number
}

/**
 * Closes `socket` without resetting it: the FIN follows the pending writes, and the peer's further input is
 * read and discarded until the peer closes too, or `lingerMs` after the FIN. Destroying a socket with unread
 * input makes the kernel answer RST, and a peer still sending (a WebSocket client after a protocol error, say)
 * would lose the last bytes written to it - Go's lingering close.
 *
 * @param socket - the connection to close
 * @param opts - how long to linger
 */
export function lingeringClose (socket: Socket, opts: LingeringCloseOptions = {}): void {
  const ms = opts.lingerMs ?? LINGER_MS
  const linger = (): void => {
    const deadline = new SocketDeadline(socket)
    deadline.start(ms)
    socket.once('close', () => { deadline.cancel() })
  }
  if (socket.writableFinished) linger()
  else socket.once('finish', linger)
  socket.end()
  socket.on('data', discard)
  socket.resume()
}

function discard (): void {}
