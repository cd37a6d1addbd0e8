import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

/** The signature of a node:http `'upgrade'` listener. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

/** Routes an upgrade request through the owning fastify instance (`fastify.routing`). */
export type Routing = (req: IncomingMessage, res: ServerResponse) => void

/** What the dispatcher stores on an upgrade request it routes to a router mount. */
export interface UpgradeTicket {
  socket: Duplex
  head: Buffer
  /** The response the dispatcher bound to the socket for fastify's own answers (hooks, 404, 503). */
  res: ServerResponse
}

/** Marks a request that reached fastify through a router mount's upgrade path. */
export const kUpgradeTicket: unique symbol = Symbol('hertz.fastify.upgrade')

interface Mount {
  /** Normalised prefix: starts with '/', no trailing slash; '' for the root. */
  prefix: string
  routing: Routing
}

/**
 * The one `'upgrade'` listener of a server that carries router mounts.
 *
 * Every library that listens for `'upgrade'` on a shared server believes it owns
 * every upgrade socket; with two of them, both answer the same socket (a 404 from
 * one, a 101 from the other) and the connection is corrupted. So this dispatcher
 * adopts the server's other `'upgrade'` listeners (present and future): an upgrade
 * under a router prefix is routed to that router alone, every other upgrade is
 * handed to the adopted listeners alone, exactly as if the router were absent.
 */
class UpgradeDispatcher {
  readonly mounts: Mount[] = []
  readonly adopted: UpgradeListener[] = []
  readonly server: NodeEventEmitter
  readonly listener: UpgradeListener
  private readonly onNewListener: (event: string | symbol, fn: (...args: any[]) => void) => void

  constructor (server: NodeEventEmitter) {
    this.server = server
    this.listener = (req, socket, head) => { this.dispatch(req, socket, head) }
    this.onNewListener = (event, fn) => {
      if (event !== 'upgrade' || fn === this.listener) return
      // 'newListener' fires before the listener is added; take it over right after,
      // which is before any I/O (and so any upgrade) can be delivered.
      queueMicrotask(() => { this.adopt(fn as UpgradeListener) })
    }
    for (const fn of server.listeners('upgrade') as UpgradeListener[]) this.adopt(fn)
    server.on('upgrade', this.listener)
    server.on('newListener', this.onNewListener)
  }

  private adopt (fn: UpgradeListener): void {
    if (!this.server.listeners('upgrade').includes(fn)) return
    this.server.removeListener('upgrade', fn)
    if (!this.adopted.includes(fn)) this.adopted.push(fn)
  }

  /** Adds a mount; longer prefixes are matched first. */
  add (mount: Mount): void {
    this.mounts.push(mount)
    this.mounts.sort((a, b) => b.prefix.length - a.prefix.length)
  }

  /** Removes a mount; the last removal hands the server back to the adopted listeners. */
  remove (mount: Mount): boolean {
    const i = this.mounts.indexOf(mount)
    if (i !== -1) this.mounts.splice(i, 1)
    if (this.mounts.length > 0) return false
    this.server.removeListener('upgrade', this.listener)
    this.server.removeListener('newListener', this.onNewListener)
    for (const fn of this.adopted) this.server.on('upgrade', fn)
    this.adopted.length = 0
    return true
  }

  dispatch (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const mount = this.match(req.url ?? '/')
    if (mount !== undefined) {
      routeUpgrade(mount.routing, req, socket, head, true)
      return
    }
    if (this.adopted.length > 0) {
      for (const fn of this.adopted) fn.call(this.server, req, socket, head)
      return
    }
    // Nobody else wants upgrades: let fastify answer it as the HTTP request it also is.
    routeUpgrade(this.mounts[this.mounts.length - 1]!.routing, req, socket, head, false)
  }

  private match (url: string): Mount | undefined {
    const path = decodedPath(url)
    if (path === null) return undefined
    for (const mount of this.mounts) {
      const p = mount.prefix
      if (p === '' || (path.startsWith(p) && (path.length === p.length || path.charCodeAt(p.length) === 47))) {
        return mount
      }
    }
    return undefined
  }
}

type NodeEventEmitter = import('node:events').EventEmitter

const dispatchers = new WeakMap<NodeEventEmitter, UpgradeDispatcher>()

/**
 * Routes upgrade requests whose path lies under `prefix` to `routing` (the mounting
 * fastify instance's `routing`), marked with an {@link UpgradeTicket}. Returns a
 * function that removes the mount again.
 */
export function mountUpgrades (server: NodeEventEmitter, prefix: string, routing: Routing): () => void {
  let dispatcher = dispatchers.get(server)
  if (dispatcher === undefined) {
    dispatcher = new UpgradeDispatcher(server)
    dispatchers.set(server, dispatcher)
  }
  const mount: Mount = { prefix: trimTrailingSlashes(prefix), routing }
  dispatcher.add(mount)
  const d = dispatcher
  return () => {
    if (d.remove(mount)) dispatchers.delete(server)
  }
}

/**
 * Runs an upgrade request through fastify with a response bound to its socket, as
 * `@fastify/websocket` does, so fastify's hooks see it and can refuse it. Whatever
 * fastify answers itself (hook refusal, 404, 503 while closing) is written on the
 * socket, which is then closed; a router route takes the socket over instead.
 */
function routeUpgrade (routing: Routing, req: IncomingMessage, socket: Duplex, head: Buffer, ticketed: boolean): void {
  // Node drops the parser's 'error' listener before emitting 'upgrade'.
  socket.on('error', destroyOnError)
  const res = new ServerResponse(req)
  res.shouldKeepAlive = false
  try {
    res.assignSocket(socket as import('node:net').Socket)
  } catch {
    // Another party already owns this socket; never answer it twice.
    return
  }
  res.once('finish', endSocket)
  if (ticketed) (req as TicketedRequest)[kUpgradeTicket] = { socket, head, res }
  try {
    routing(req, res)
  } catch {
    socket.destroy()
  }
}

/** The ticket of a request that came through a router mount's upgrade path, if any. */
export function takeUpgradeTicket (req: IncomingMessage): UpgradeTicket | undefined {
  const ticket = (req as TicketedRequest)[kUpgradeTicket]
  if (ticket === undefined) return undefined
  ;(req as TicketedRequest)[kUpgradeTicket] = undefined
  // The router binds its own response to the socket; Node allows one per socket.
  ticket.res.removeListener('finish', endSocket)
  ticket.res.detachSocket(ticket.socket as import('node:net').Socket)
  return ticket
}

type TicketedRequest = IncomingMessage & { [kUpgradeTicket]?: UpgradeTicket | undefined }

function endSocket (this: ServerResponse): void {
  const socket = this.socket
  if (socket === null) return
  this.detachSocket(socket)
  socket.end()
  // Do not wait for the client's FIN: destroy once ours has been written.
  if (socket.writableFinished) socket.destroy()
  else socket.once('finish', socket.destroy)
}

function destroyOnError (this: Duplex): void {
  this.destroy()
}

/** The path of a request target, percent-decoded as fastify's router decodes it; null if malformed. */
export function decodedPath (url: string): string | null {
  const q = url.indexOf('?')
  const raw = q === -1 ? url : url.slice(0, q)
  if (!raw.includes('%')) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    return null
  }
}

function trimTrailingSlashes (prefix: string): string {
  let end = prefix.length
  while (end > 0 && prefix.charCodeAt(end - 1) === 47) end--
  return prefix.slice(0, end)
}
