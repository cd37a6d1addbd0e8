import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { AdaptorError, AdaptorErrorCode } from './errors.js'
import { typeOf } from './handler.js'
import { upgradeResponse } from './hijack.js'
import { pendingStart, type Startable } from './start.js'

/** What {@link toNodeHandler} and {@link toNodeUpgradeHandler} need of a router engine (`server.New()`). */
export interface NodeServable extends Startable {
  /** Serves a plain request through lookup, middleware and handlers, and writes the response. */
  handleRequest (req: IncomingMessage, res: ServerResponse): Promise<void>
  /** Serves an `'upgrade'` event's request the same way, with `c.res` bound to the socket. */
  handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>
}

/** A `'request'` listener (also usable as an express/connect handler: `next` is never needed). */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void

/** An `'upgrade'` listener. */
export type NodeUpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

/**
 * The reverse direction: serves a router from a plain `http.createServer`, or mounts it inside express or
 * connect (`app.use(toNodeHandler(h))`). The router answers every request it is given (its `noRoute`
 * handlers decide what an unknown path gets), and reads `req.url` as it finds it, so under an express mount
 * path it sees the path below the mount.
 *
 * The first request starts an engine that is not running yet (`h.mount()`: its plugins load, then its onRun
 * hooks run); requests wait for that start, and all get 500 if it fails (logged once through `h.logger`). An
 * engine started beforehand (`await h.mount(server)`, which also lets `h.unmount()` drain `server`) is served
 * as it is.
 *
 * @param h - a router engine (`server.New()` / `server.Default()`)
 * @returns `(req, res) => void`
 * @throws AdaptorError `ADAPTOR_ERR_BAD_ENGINE` when `h` is not a router engine
 */
export function toNodeHandler (h: Omit<NodeServable, 'handleUpgrade'>): NodeRequestListener {
  checkEngine(h, 'handleRequest', 'toNodeHandler')
  return function routerRequestListener (req: IncomingMessage, res: ServerResponse): void {
    const starting = pendingStart(h)
    // The engine answers its own failures (recovery, 500) and never rejects; nothing to wait for here.
    if (starting === null) void h.handleRequest(req, res)
    else starting.then(() => { serveRequestLater(h, req, res) }, () => { refuse(res) })
  }
}

/**
 * The `'upgrade'` listener that goes with {@link toNodeHandler}: upgrade requests run through the router's
 * chain with `c.res` bound to the socket, so `adaptor.handler` + `hijack(res)` (and with it the WebSocket
 * upgraders) work on a plain server:
 *
 * ```ts
 * const server = http.createServer(toNodeHandler(h))
 * server.on('upgrade', toNodeUpgradeHandler(h))
 * ```
 *
 * A request that no route upgrades gets its ordinary answer (404, 426, ...) and the socket is closed. It starts
 * the engine as {@link toNodeHandler} does (one start, shared by both).
 *
 * @param h - a router engine
 * @returns `(req, socket, head) => void`
 * @throws AdaptorError `ADAPTOR_ERR_BAD_ENGINE` when `h` is not a router engine
 */
export function toNodeUpgradeHandler (h: Omit<NodeServable, 'handleRequest'>): NodeUpgradeListener {
  checkEngine(h, 'handleUpgrade', 'toNodeUpgradeHandler')
  return function routerUpgradeListener (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const starting = pendingStart(h)
    if (starting === null) {
      void h.handleUpgrade(req, socket, head)
      return
    }
    // node:http took its own 'error' listener off the socket when it emitted 'upgrade': an ECONNRESET while the
    // request waits would otherwise crash the process.
    socket.on('error', ignore)
    starting.then(() => { serveUpgradeLater(h, req, socket, head) }, () => {
      if (!socket.destroyed) refuse(upgradeResponse(req, socket, head))
    })
  }
}

function checkEngine (h: unknown, serve: 'handleRequest' | 'handleUpgrade', name: string): void {
  const e = h as Record<string, unknown> | null
  if (e === null || typeof e !== 'object' || typeof e[serve] !== 'function' || typeof e.mount !== 'function' ||
    typeof e.isRunning !== 'function' || typeof e.isClosing !== 'function') {
    throw new AdaptorError(AdaptorErrorCode.BAD_ENGINE, `${name}: expected a router engine, got ${typeOf(h)}`)
  }
}

function serveRequestLater (h: Pick<NodeServable, 'handleRequest'>, req: IncomingMessage, res: ServerResponse): void {
  // A client that left while the engine started has nobody to answer: the engine would wait for a body that
  // cannot come any more.
  if (res.destroyed) return
  void h.handleRequest(req, res)
}

function serveUpgradeLater (h: Pick<NodeServable, 'handleUpgrade'>, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  // The engine counts an upgrade socket until its 'close', which for a socket already gone has been and passed.
  if (socket.destroyed) return
  void h.handleUpgrade(req, socket, head)
}

/** The answer of a request whose engine could not start. */
function refuse (res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return
  res.statusCode = 500
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.end('Internal Server Error')
}

function ignore (): void {
  // The socket is being destroyed when 'error' fires; serveUpgradeLater() then leaves it alone.
}
