import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { responseOnSocket, serverConnections } from './node-internals.js'

// Graceful shutdown of a node:http server's HTTP connections, the way Hertz drains its own: a connection with no
// request in flight is closed at once, one with a request in flight is closed after its response.
//
// `server.close()` / `closeIdleConnections()` alone are not enough: they reach only connections that have finished
// a request, so a connection that was opened but never used (browsers open such spare connections) keeps the
// server open until the exit wait time runs out, and so does a keep-alive connection whose response head went out
// before the shutdown began. node:http lists every HTTP connection of a server (upgraded ones leave the list) under
// an internal symbol; it is looked up by description, and without it only the idle connections node knows of are
// closed (see node-internals.ts).

/** Ends the connection of a response once the response is out. */
function endConnection (this: ServerResponse): void {
  this.req.socket.destroySoon()
}

/** The response of a request that arrived while draining: `Connection: close`, and node ends the connection after it. */
function closeAfterResponse (_req: IncomingMessage, res: ServerResponse): void {
  res.shouldKeepAlive = false
}

/** Closes each connection of `server` that has no request in flight; marks the others to close after their response. */
function sweep (server: Server): void {
  server.closeIdleConnections()
  const sockets = serverConnections(server)
  if (sockets === null) return
  for (const socket of sockets) {
    if (socket.destroyed) continue
    const res = responseOnSocket(socket)
    if (res != null) {
      // A head not sent yet says `Connection: close` and node ends the connection after the response; a keep-alive
      // head already on the wire cannot be taken back, so the connection is ended once the response is out.
      res.shouldKeepAlive = false
      if (res.headersSent) res.once('finish', endConnection)
    } else if ((socket as Socket).bytesRead === 0) {
      // Connected, never sent a byte: nothing is lost by closing it.
      socket.destroy()
    }
    // Otherwise a request head is on its way: its response closes the connection (see closeAfterResponse).
  }
}

/**
 * Starts draining the HTTP connections of `server` for a graceful shutdown: those with no request in flight (never
 * used, or idle between keep-alive requests) are closed now; one with a request in flight is closed after its
 * response, which says `Connection: close` unless its head has already gone out. So are requests that arrive
 * while draining. Upgraded connections are left to their owners.
 */
export function drainConnections (server: Server): void {
  // Prepended so the mark is set before any handler can write the head.
  if (!server.listeners('request').includes(closeAfterResponse)) server.prependListener('request', closeAfterResponse)
  sweep(server)
}

/**
 * Ends draining `server`: connections that have no request in flight by now (accepted while draining, or left
 * idle) are closed, and requests arriving from now on are answered as usual.
 */
export function stopDraining (server: Server): void {
  server.removeListener('request', closeAfterResponse)
  sweep(server)
}
