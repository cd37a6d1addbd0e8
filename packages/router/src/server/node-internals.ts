import { OutgoingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

// Every use the router makes of node:http's undocumented internals that concern connections is in this file, so a
// Node release that changes one of them breaks one place, which node-internals.test.ts checks against the running
// Node.
//
// Why each is needed (node:http has no public way to do these):
// - `socket._httpMessage`: the response node:http is writing on a connection. An upgrade request pipelined behind
//   a keep-alive request reaches the `'upgrade'` listener while the earlier response may still own the socket;
//   answering it then would interleave two responses on the wire. A graceful shutdown also reads it to tell a
//   connection with a request in flight from an idle one, and a parse error is answered only when no response
//   head has gone out yet.
// - the server's connection list (a symbol described `http.server.connections`): every HTTP connection of a server,
//   including those that were opened and never used, which `closeIdleConnections()` does not reach.
// - a response's progressive headers (a symbol described `kOutHeaders`): node:http keeps headers set through
//   `setHeader` in an object under it, which stays allocated, empty, once they are removed again, and which sends
//   `writeHead(status, list)` down its slow path (node 20 applies such a list pair by pair, keeping only the last
//   value of a repeated name). The router writes its flat header list straight through while there is none.
//   Handlers that write on `c.res` themselves (the adaptor's) start with `Server: hertz`: the first `setHeader`
//   makes the object as a null-prototype literal, which V8 keeps in dictionary mode, and every later `setHeader`
//   and the head's serialization pay for that; `setServerHeader` puts in place an object of the same layout that
//   V8 keeps fast (0.4 us less per request in a profile at 5 000/s, of about 22 us; bench/RESULTS.md).
//
// Each accessor degrades to "nothing there" (or to the safe path) when the field is missing: a changed Node loses
// the wait, the sweep of unused connections or the fast header path, never crashes a request; the test is what
// makes such a change loud.

interface InternalSocket {
  _httpMessage?: ServerResponse | null
}

/**
 * The response node:http is writing on `socket`, or null when none is.
 *
 * @param socket - a server-side connection
 */
export function responseOnSocket (socket: Duplex): ServerResponse | null {
  return (socket as InternalSocket)._httpMessage ?? null
}

/**
 * Waits until no earlier response is being written on `socket`: null when none is now (nothing to wait for, no
 * allocation), else a promise that resolves true once the last response ahead is finished, or false when the
 * socket closed first. Responses to requests pipelined ahead take the socket one after another as each finishes
 * (node:http assigns the next one inside the previous one's `'finish'`, before this waiter's listener runs), so
 * the wait goes on until the socket is free.
 *
 * @param socket - the connection of an upgrade request
 */
export function afterEarlierResponses (socket: Duplex): Promise<boolean> | null {
  if (responseOnSocket(socket) === null) return null
  return new Promise(resolve => {
    let res: ServerResponse | null = null
    const onClose = (): void => {
      res?.removeListener('finish', onFinish)
      resolve(false)
    }
    const onFinish = (): void => {
      res = responseOnSocket(socket)
      if (res !== null) {
        res.once('finish', onFinish)
        return
      }
      socket.removeListener('close', onClose)
      resolve(!socket.destroyed)
    }
    socket.once('close', onClose)
    onFinish()
  })
}

interface ConnectionsList {
  all (): Array<{ socket?: Duplex | null }>
}

/**
 * Every HTTP connection node:http tracks for `server` (upgraded ones leave the list), or null when this Node keeps
 * no such list where the router looks.
 *
 * @param server - a node:http server
 */
export function serverConnections (server: Server): Duplex[] | null {
  const key = Object.getOwnPropertySymbols(server).find(s => s.description === 'http.server.connections')
  const list = key === undefined ? undefined : (server as unknown as Record<symbol, Partial<ConnectionsList> | undefined>)[key]
  if (typeof list?.all !== 'function') return null
  const sockets: Duplex[] = []
  for (const { socket } of (list as ConnectionsList).all()) if (socket != null) sockets.push(socket)
  return sockets
}

// Looked up by description once; if a future Node hides it, every response takes the safe path.
const kOutHeaders: symbol | undefined = Object.getOwnPropertySymbols(new OutgoingMessage())
  .find(s => s.description === 'kOutHeaders')

/**
 * True when `res` has (or had) headers set through the progressive API (`setHeader`), or when this Node keeps them
 * where the router cannot see: `writeHead(status, list)` must then merge the list into them (see write.ts).
 *
 * @param res - a server response whose head has not been written
 */
export function hasProgressiveHeaders (res: ServerResponse): boolean {
  return kOutHeaders === undefined || (res as unknown as Record<symbol, unknown>)[kOutHeaders] != null
}

/** node:http's header object: lowercased name -> [name as set, value]. */
type HeaderObject = Record<string, [string, string | string[]]>

/**
 * A header object that starts with `Server: hertz`. Like node's own `{ __proto__: null }` it inherits nothing (its
 * prototype is an empty null-prototype object, so `constructor` or `__proto__` is an ordinary header name), but it
 * is made by a constructor: V8 keeps it a fast object with a shared shape, where the null-prototype literal is
 * built in dictionary mode.
 */
const ServerHeaders = function (this: HeaderObject): void {
  this.server = ['Server', 'hertz']
} as unknown as new () => HeaderObject
ServerHeaders.prototype = Object.create(null) as HeaderObject

/**
 * `res.setHeader('Server', 'hertz')`: on a response with no header yet, a fresh `ServerHeaders` object; any
 * other response (or a Node that keeps its headers elsewhere) takes `setHeader` itself.
 *
 * @param res - a server response whose head has not been written
 */
export function setServerHeader (res: ServerResponse): void {
  const r = res as unknown as Record<symbol, unknown>
  if (kOutHeaders !== undefined && r[kOutHeaders] === null && !res.headersSent) {
    r[kOutHeaders] = new ServerHeaders()
  } else {
    res.setHeader('Server', 'hertz')
  }
}
