import { HertzError, ErrorCodes } from '../errors.js'
import type { RequestContext } from './request-context.js'
import type { Engine } from '../server/engine.js'

// Noticing that the client of a running chain went away, for `c.signal`. Only contexts whose signal was read are
// watched, so a handler that never looks at it costs nothing.

function clientGone (): HertzError {
  return new HertzError(ErrorCodes.HERTZ_ERR_CLIENT_CLOSED, 'client closed the connection')
}

/** Called when `c.signal` is first read: aborts it when the client goes away before the chain ends. */
export function watchAbort (engine: Engine, c: RequestContext): void {
  if (c.finished) return
  const target = c.upgradeSocket ?? c.res
  if (target.destroyed || c.upgradeSocket?.readableEnded === true) {
    c.abortSignal(clientGone())
    c.upgradeSocket?.destroy()
    return
  }
  engine.watched.add(c)
  const gone = (): void => { if (!c.finished) c.abortSignal(clientGone()) }
  target.once('close', gone)
  const socket = c.upgradeSocket
  if (socket === null) return
  // A detached upgrade socket is not read by anyone, so the peer leaving goes unnoticed. Listening for
  // 'readable' makes node read it again: bytes stay buffered in the socket for whoever takes it over, and
  // read(0) on an empty buffer surfaces the end of stream without consuming anything.
  const poke = (): void => { if (socket.readableLength === 0) socket.read(0) }
  // Upgrade sockets are half-open, so a client's FIN alone never leads to 'close'. A client that stops sending
  // before it got an answer cannot take part in an upgraded protocol: it counts as gone, and destroying its
  // socket also wakes whatever waits for the socket to close.
  const ended = (): void => {
    if (c.finished) return
    c.abortSignal(clientGone())
    socket.destroy()
  }
  socket.on('readable', poke)
  socket.once('end', ended)
  c.unwatch = () => {
    socket.removeListener('readable', poke)
    socket.removeListener('end', ended)
    socket.removeListener('close', gone)
  }
}

/** The chain of `c` (whose signal was read) is over: stop watching its client. */
export function stopWatching (engine: Engine, c: RequestContext): void {
  engine.watched.delete(c)
  if (c.unwatch !== null) c.unwatch()
}

/** Aborts the signal of every running chain that is watched (the server is closing under them). */
export function abortWatched (engine: Engine, reason: HertzError): void {
  for (const c of engine.watched) c.abortSignal(reason)
  engine.watched.clear()
}
