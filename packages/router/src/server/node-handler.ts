import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { HertzError, HertzErrorCode, formatError } from '../errors.js'
import { rawErrorResponse } from '../pipeline/write.js'
import { kLifecycle, kServeUpgrade } from '../symbols.js'
import { Engine } from './engine.js'
import { afterEarlierResponses } from './node-internals.js'

/** A `'request'` listener (also usable as an express/connect handler: `next` is never needed). */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void

/** An `'upgrade'` listener. */
export type NodeUpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

/**
 * Serves a router from a plain `http.createServer`, or mounts it inside express or connect
 * (`app.use(toNodeHandler(h))`). The router answers every request it is given (its `noRoute` handlers decide what
 * an unknown path gets), and reads `req.url` as it finds it, so under an express mount path it sees the path
 * below the mount.
 *
 * The first request starts an engine that is not running yet (as `h.mount()`: its plugins load, then its onRun
 * hooks run); requests wait for that start, and all get 500 if it fails (logged once through `h.logger`). An
 * engine started beforehand (`await h.mount(server)`, which also lets `h.unmount()` drain `server`) is served as
 * it is.
 *
 * @param h - a router engine (`server.New()` / `server.Default()`)
 * @returns `(req, res) => void`
 * @throws HertzError `HERTZ_ERR_BAD_OPTION` when `h` is not a router engine
 */
export function toNodeHandler (h: Engine): NodeRequestListener {
  checkEngine(h, 'toNodeHandler')
  return function routerRequestListener (req: IncomingMessage, res: ServerResponse): void {
    const starting = pendingStart(h)
    // The engine answers its own failures (recovery, 500) and never rejects; nothing to wait for here.
    if (starting === null) void h.handleRequest(req, res)
    else starting.then(() => { serveRequestLater(h, req, res) }, () => { refuse(res) })
  }
}

/**
 * The `'upgrade'` listener that goes with {@link toNodeHandler}: upgrade requests run through the router's chain
 * with `c.res` bound to the socket, so `c.hijack()`, `adaptor.handler` + `hijack(res)` and with them the WebSocket
 * upgraders work on a plain server:
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
 * @throws HertzError `HERTZ_ERR_BAD_OPTION` when `h` is not a router engine
 */
export function toNodeUpgradeHandler (h: Engine): NodeUpgradeListener {
  checkEngine(h, 'toNodeUpgradeHandler')
  return function routerUpgradeListener (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const starting = pendingStart(h)
    if (starting === null) {
      h[kServeUpgrade](req, socket, head)
      return
    }
    // node:http took its own 'error' listener off the socket when it emitted 'upgrade': an ECONNRESET while the
    // request waits would otherwise crash the process.
    socket.on('error', ignore)
    starting.then(() => { serveUpgradeLater(h, req, socket, head) }, () => { refuseUpgrade(h, socket) })
  }
}

function checkEngine (h: unknown, name: string): void {
  if (!(h instanceof Engine)) {
    throw new HertzError(HertzErrorCode.BAD_OPTION, `${name}: expected a router engine (server.New / server.Default), got ${h === null ? 'null' : typeof h}`)
  }
}

// One start per engine, shared by its request and upgrade listeners (and by every toNodeHandler() of it), so the
// plugins and onRun hooks run once however many requests arrive while they load.
const starts = new WeakMap<Engine, Promise<void>>()

/**
 * What a request for `h` must wait for before it is served: `null` when the engine is serving already (started by
 * an earlier request, by `h.run()` / `h.mount()`, or shutting down, when it answers with `Connection: close`);
 * otherwise the start of the engine, which the first such request begins or joins. A start that fails is logged
 * once through `h.logger` and is final: every request waiting for it, or arriving later, gets the rejection.
 */
function pendingStart (h: Engine): Promise<void> | null {
  if (h.isRunning() || h.isClosing()) return null
  let p = starts.get(h)
  if (p === undefined) {
    p = h[kLifecycle].startOrJoin()
    starts.set(h, p)
    p.then(undefined, (err: unknown) => {
      // The wording it had in @hertz-node/adaptor, where this began: logs are grepped.
      h.logger.error(`adaptor: the router could not start, its requests are answered 500: ${formatError(err)}`)
    })
  }
  return p
}

function serveRequestLater (h: Engine, req: IncomingMessage, res: ServerResponse): void {
  // A client that left while the engine started has nobody to answer: the engine would wait for a body that
  // cannot come any more.
  if (res.destroyed) return
  void h.handleRequest(req, res)
}

function serveUpgradeLater (h: Engine, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  // The engine counts an upgrade socket until its 'close', which for a socket already gone has been and passed.
  if (socket.destroyed) return
  h[kServeUpgrade](req, socket, head)
}

/** The answer of a request whose engine could not start. */
function refuse (res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return
  res.statusCode = 500
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.end('Internal Server Error')
}

/** The answer of an upgrade request whose engine could not start: after the responses ahead of it, then closed. */
function refuseUpgrade (h: Engine, socket: Duplex): void {
  if (socket.destroyed) return
  const answer = (): void => {
    if (socket.destroyed) return
    socket.end(rawErrorResponse(500, 'Internal Server Error', !h.options.disableDefaultServerHeader))
    ;(socket as Socket).destroySoon()
  }
  const earlier = afterEarlierResponses(socket)
  if (earlier === null) answer()
  else void earlier.then(free => { if (free) answer() })
}

function ignore (): void {
  // The socket is being destroyed when 'error' fires; serveUpgradeLater() then leaves it alone.
}
