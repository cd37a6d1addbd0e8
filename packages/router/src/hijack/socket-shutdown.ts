import type { Duplex } from 'node:stream'
import { HertzError, HertzErrorCode } from '../errors.js'

/**
 * Says goodbye on a connection that was taken over from HTTP (a WebSocket sends its close frame 1001 "going
 * away"). It may finish asynchronously; the engine closes the connection once it settles. It is called with the
 * socket it was registered for, so one shared function can serve every connection (no closure per socket).
 */
export type SocketShutdownHandler = (socket: Duplex) => void | Promise<void>

/** How an engine that is shutting down runs a handler for one of its sockets. */
export type SocketShutdownRunner = (socket: Duplex, handler: SocketShutdownHandler) => void

// The protocol lives on the socket under registry symbols (Symbol.for), not in a module-local WeakMap: the router
// can be loaded twice in one process (two versions in node_modules, or sources next to a build), and the copy a
// protocol library registers through must still agree with the copy whose engine owns the socket. The values are
// plain functions, so copies of different versions agree as well:
//   HANDLER  -> the registered SocketShutdownHandler, until the engine runs it;
//   DRAINING -> a SocketShutdownRunner, set once the owning engine has begun its graceful shutdown.
const HANDLER = Symbol.for('hertz-node.socket-shutdown')
const DRAINING = Symbol.for('hertz-node.socket-shutdown.draining')

interface Slots {
  [HANDLER]?: SocketShutdownHandler | undefined
  [DRAINING]?: SocketShutdownRunner | undefined
}

/**
 * Registers what to do with a taken-over connection (a hijacked or upgraded socket) when the engine that
 * accepted it shuts down gracefully (`spin()` on a signal, `h.shutdown()`, `h.unmount()`): the engine runs the
 * handlers of its live upgraded sockets concurrently, waits for those sockets to close within the exit wait
 * time, and destroys what is left. A socket whose handler has settled is closed (after pending writes).
 *
 * This is how a protocol on top of the router (a WebSocket library) closes cleanly without the router knowing
 * the protocol. One handler per socket: a later registration replaces the earlier one. A socket registered while
 * its engine is already shutting down gets its handler run at once. On a socket no engine owns it does nothing.
 *
 * @param socket - the connection (`conn.socket` of a hijack, the socket `adaptor.hijack()` returned)
 * @param handler - sends the protocol's goodbye; errors are logged by the engine
 * @throws HertzError `HERTZ_ERR_BAD_HANDLER` when `handler` is not a function
 */
export function onSocketShutdown (socket: Duplex, handler: SocketShutdownHandler): void {
  if (typeof handler !== 'function') {
    throw new HertzError(HertzErrorCode.BAD_HANDLER, 'socket shutdown handler must be a function')
  }
  const slots = socket as Duplex & Slots
  const run = slots[DRAINING]
  if (typeof run === 'function') {
    slots[HANDLER] = undefined
    run(socket, handler)
    return
  }
  slots[HANDLER] = handler
}

/**
 * Tells whether the engine that owns `socket` (the socket of an upgrade request) has begun its graceful shutdown.
 * A protocol should not start on such a socket: it would only be cut at the exit wait time. The upgraders of
 * `@hertz-node/ws-compat` refuse the handshake with 503 then. False for a socket no engine owns.
 *
 * @param socket - the socket of an upgrade request (`req.socket`), or null
 */
export function isSocketShuttingDown (socket: Duplex | null | undefined): boolean {
  return socket != null && typeof (socket as Duplex & Slots)[DRAINING] === 'function'
}

/**
 * Starts the goodbye of `socket` for an engine that began shutting down: its handler, if one is
 * registered, goes to `run` now; one registered later goes to `run` as it comes.
 */
export function shutdownSocket (socket: Duplex, run: SocketShutdownRunner): void {
  const slots = socket as Duplex & Slots
  slots[DRAINING] = run
  const handler = slots[HANDLER]
  if (typeof handler !== 'function') return
  slots[HANDLER] = undefined
  run(socket, handler)
}
