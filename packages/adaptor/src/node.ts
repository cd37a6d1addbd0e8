import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { AdaptorError, AdaptorErrorCode } from './errors.js'
import { typeOf } from './handler.js'

/** What {@link toNodeHandler} and {@link toNodeUpgradeHandler} need of a router engine (`server.New()`). */
export interface NodeServable {
  /** Serves a plain request through lookup, middleware and handlers, and writes the response. */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** Serves an `'upgrade'` event's request the same way, with `c.res` bound to the socket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>
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
 * `h` need not be running: `h.run()` is only for its own server.
 *
 * @param h - a router engine (`server.New()` / `server.Default()`)
 * @returns `(req, res) => void`
 * @throws AdaptorError `ADAPTOR_ERR_BAD_ENGINE` when `h` has no `handleRequest`
 */
export function toNodeHandler(h: Pick<NodeServable, 'handleRequest'>): NodeRequestListener {
  if (h === null || typeof h !== 'object' || typeof h.handleRequest !== 'function') {
    throw new AdaptorError(AdaptorErrorCode.BAD_ENGINE, `toNodeHandler: expected a router engine, got ${typeOf(h)}`)
  }
  return function routerRequestListener(req: IncomingMessage, res: ServerResponse): void {
    // The engine answers its own failures (recovery, 500) and never rejects; nothing to wait for here.
    void h.handleRequest(req, res)
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
 * A request that no route upgrades gets its ordinary answer (404, 426, ...) and the socket is closed.
 *
 * @param h - a router engine
 * @returns `(req, socket, head) => void`
 * @throws AdaptorError `ADAPTOR_ERR_BAD_ENGINE` when `h` has no `handleUpgrade`
 */
export function toNodeUpgradeHandler(h: Pick<NodeServable, 'handleUpgrade'>): NodeUpgradeListener {
  if (h === null || typeof h !== 'object' || typeof h.handleUpgrade !== 'function') {
    throw new AdaptorError(AdaptorErrorCode.BAD_ENGINE, `toNodeUpgradeHandler: expected a router engine, got ${typeOf(h)}`)
  }
  return function routerUpgradeListener(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    void h.handleUpgrade(req, socket, head)
  }
}
