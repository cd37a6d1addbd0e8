import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { Inflight } from '../pipeline/inflight.js'
import { kAbortSignal, kFinished, kInflight, kUnwatch, kUpgradeSocket } from '../symbols.js'

// Noticing that the client of a running chain went away, for `c.signal`. Only contexts whose signal was read are
// watched, so a handler that never looks at it costs nothing.

/** What watching needs of a request context. */
export interface Watchable {
  readonly engine: { readonly [kInflight]: Inflight }
  readonly res: ServerResponse
  readonly [kUpgradeSocket]: Socket | null
  readonly [kFinished]: boolean
  [kUnwatch]: (() => void) | null
  [kAbortSignal] (reason: unknown): void
}

function noop (): void {}

function clientGone (): HertzError {
  return new HertzError(HertzErrorCode.CLIENT_CLOSED, 'client closed the connection')
}

/** Called when `c.signal` is first read: aborts it when the client goes away before the chain ends. */
export function watchAbort (c: Watchable): void {
  if (c[kFinished]) return
  const socket = c[kUpgradeSocket]
  const target = socket ?? c.res
  if (target.destroyed || socket?.readableEnded === true) {
    c[kAbortSignal](clientGone())
    socket?.destroy()
    return
  }
  c.engine[kInflight].watched.add(c)
  const gone = (): void => { if (!c[kFinished]) c[kAbortSignal](clientGone()) }
  target.once('close', gone)
  if (socket === null) {
    c[kUnwatch] = noop
    return
  }
  // A detached upgrade socket is not read by anyone, so the peer leaving goes unnoticed. Listening for
  // 'readable' makes node read it again: bytes stay buffered in the socket for whoever takes it over, and
  // read(0) on an empty buffer surfaces the end of stream without consuming anything.
  const poke = (): void => { if (socket.readableLength === 0) socket.read(0) }
  // Upgrade sockets are half-open, so a client's FIN alone never leads to 'close'. A client that stops sending
  // before it got an answer cannot take part in an upgraded protocol: it counts as gone, and destroying its
  // socket also wakes whatever waits for the socket to close.
  const ended = (): void => {
    if (c[kFinished]) return
    c[kAbortSignal](clientGone())
    socket.destroy()
  }
  socket.on('readable', poke)
  socket.once('end', ended)
  c[kUnwatch] = () => {
    socket.removeListener('readable', poke)
    socket.removeListener('end', ended)
    socket.removeListener('close', gone)
  }
}

/** The chain of `c` is over: stop watching its client (a no-op unless its signal was read: see `c[kUnwatch]`). */
export function stopWatching (c: Watchable): void {
  c.engine[kInflight].watched.delete(c)
  const unwatch = c[kUnwatch]
  if (unwatch !== null) unwatch()
}
