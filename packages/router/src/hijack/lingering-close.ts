import type { Socket } from 'node:net'

/** How long a closed conn waits, once its pending writes are out, for the peer to close its side too. */
const LINGER_MS = 1000

/**
 * Closes `socket` without resetting it: the FIN follows the pending writes, and the peer's further input is
 * read and discarded until the peer closes too, or `LINGER_MS` after the FIN. Destroying a socket with unread
 * input makes the kernel answer RST, and a peer still sending (a WebSocket client after a protocol error, say)
 * would lose the last bytes written to it - Go's lingering close.
 */
export function lingeringClose (socket: Socket): void {
  const linger = (): void => {
    const timer = setTimeout(() => { socket.destroy() }, LINGER_MS)
    socket.once('close', () => { clearTimeout(timer) })
  }
  if (socket.writableFinished) linger()
  else socket.once('finish', linger)
  socket.end()
  socket.on('data', discard)
  socket.resume()
}

function discard (): void {}
