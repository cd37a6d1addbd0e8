import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import FindMyWay from 'find-my-way'
import { afterEarlierResponses } from '../server/node-internals.js'

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

/** Route parameters as find-my-way reports them. */
type RouteParams = Record<string, string | undefined>

/** fastify's own lookup (`fastify.findRoute`): the parameters of the route it would run, null when none. */
export type FindRoute = (method: string, url: string) => RouteParams | null

/** The fastify router options that decide what a path matches (from `fastify.initialConfig`). */
export interface MatchOptions {
  caseSensitive?: boolean
  ignoreTrailingSlash?: boolean
  ignoreDuplicateSlashes?: boolean
  useSemicolonDelimiter?: boolean
  maxParamLength?: number
}

/** A router mounted on the server. */
export interface Mount {
  /** The mounting fastify instance's `routing`. */
  routing: Routing
  /** The mounting fastify instance's route lookup. */
  findRoute: FindRoute
  /**
   * True when fastify's lookup landed on the mount's own routes: a private matcher holding only the mount's
   * patterns gives the same parameters. A more specific fastify route (`/hz/fws`, `/hz/:id`, `/hz/a/*`) gives
   * others, so the router owns every upgrade under its mount except those.
   */
  owns: (method: string, url: string, found: RouteParams) => boolean
}

/**
 * The {@link Mount.owns} test for a mount whose fastify routes are `patterns` (absolute), matched with the same
 * options as fastify's router so both matchers read a path alike.
 */
export function mountMatcher (patterns: readonly string[], options: MatchOptions): Mount['owns'] {
  const probe = FindMyWay({
    caseSensitive: options.caseSensitive ?? true,
    ignoreTrailingSlash: options.ignoreTrailingSlash ?? false,
    ignoreDuplicateSlashes: options.ignoreDuplicateSlashes ?? false,
    maxParamLength: options.maxParamLength ?? 100,
    // Read by find-my-way 9 although its typings do not list it.
    useSemicolonDelimiter: options.useSemicolonDelimiter ?? false
  } as FindMyWay.Config<FindMyWay.HTTPVersion.V1>)
  for (const pattern of patterns) probe.all(pattern, noop)
  return (method, url, found) => {
    const own = probe.find(method as FindMyWay.HTTPMethod, url)
    return own !== null && sameParams(own.params, found)
  }
}

function sameParams (a: RouteParams, b: RouteParams): boolean {
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const k of keys) if (a[k] !== b[k]) return false
  return true
}

function noop (): void {}

/** Marks a wrapper put in place of another library's `'upgrade'` listener. */
const kWrapper: unique symbol = Symbol('hertz.fastify.upgrade-wrapper')
type Wrapper = UpgradeListener & { listener: UpgradeListener, [kWrapper]: true }
/** Caches, per request, whether a router mount owns it (every listener asks). */
const kOwner: unique symbol = Symbol('hertz.fastify.upgrade-owner')
type OwnedRequest = IncomingMessage & { [kOwner]?: Mount | null }

/**
 * Gives every upgrade socket of a server that carries router mounts exactly one owner.
 *
 * Every library that listens for `'upgrade'` believes it owns every upgrade socket;
 * with two of them on one server, both answer the same socket (a 404 from one, a 101
 * from the other) and the connection is corrupted. So the dispatcher wraps the
 * server's other `'upgrade'` listeners (present and future) in a filter: an upgrade
 * belongs to a router when fastify's own lookup routes it to the router's mount, that
 * is, it lies under the mount and no more specific fastify route (an
 * `@fastify/websocket` route, say) matches it; the router's middleware and 404 then
 * answer it. The others never see it, and they get every other upgrade exactly as if
 * no router were mounted. The ownership test reads the target as fastify does; the
 * router decodes the path once more only to route it, through path.ts. The wrappers carry the original
 * listener as `listener`, the way `once()` wrappers do, so the owning library can
 * still remove its listener with `server.removeListener('upgrade', fn)`.
 */
class UpgradeDispatcher {
  readonly mounts: Mount[] = []
  readonly server: NodeEventEmitter
  readonly listener: UpgradeListener
  private readonly onNewListener: (event: string | symbol, fn: (...args: any[]) => void) => void

  constructor (server: NodeEventEmitter) {
    this.server = server
    this.listener = (req, socket, head) => { this.dispatch(req, socket, head) }
    this.onNewListener = (event, fn) => {
      if (event !== 'upgrade' || fn === this.listener || (fn as Partial<Wrapper>)[kWrapper] === true) return
      // 'newListener' fires before the listener is added; wrap it right after, which
      // is before any I/O (and so any upgrade) can be delivered.
      queueMicrotask(() => { this.wrap(fn as UpgradeListener) })
    }
    for (const fn of server.rawListeners('upgrade') as UpgradeListener[]) this.wrap(fn)
    server.prependListener('upgrade', this.listener)
    server.on('newListener', this.onNewListener)
  }

  private wrap (fn: UpgradeListener): void {
    const raw = this.server.rawListeners('upgrade')
    if (!raw.includes(fn) || (fn as Partial<Wrapper>)[kWrapper] === true) return
    const owner = this.owner.bind(this)
    const wrapper = function (this: unknown, req: IncomingMessage, socket: Duplex, head: Buffer): void {
      if (owner(req) === null) fn.call(this, req, socket, head)
    } as Wrapper
    wrapper.listener = fn
    wrapper[kWrapper] = true
    this.server.removeListener('upgrade', fn)
    this.server.on('upgrade', wrapper)
  }

  /** Adds a mount. */
  add (mount: Mount): void {
    this.mounts.push(mount)
  }

  /** Removes a mount; after the last one the server's listeners are as they would be without any router. */
  remove (mount: Mount): boolean {
    const i = this.mounts.indexOf(mount)
    if (i !== -1) this.mounts.splice(i, 1)
    if (this.mounts.length > 0) return false
    this.server.removeListener('upgrade', this.listener)
    this.server.removeListener('newListener', this.onNewListener)
    for (const w of this.server.rawListeners('upgrade') as Wrapper[]) {
      if (w[kWrapper] !== true) continue
      this.server.removeListener('upgrade', w)
      this.server.on('upgrade', w.listener)
    }
    return true
  }

  /** True while some other library listens for upgrades. */
  private othersListen (): boolean {
    return this.server.listenerCount('upgrade') > 1
  }

  /** The mount that owns this upgrade request, or null when it belongs to the other listeners. */
  owner (req: IncomingMessage): Mount | null {
    const r = req as OwnedRequest
    let owner = r[kOwner]
    if (owner === undefined) {
      owner = null
      const method = req.method ?? 'GET'
      const url = req.url ?? '/'
      for (const mount of this.mounts) {
        const found = mount.findRoute(method, url)
        if (found !== null && mount.owns(method, url, found)) {
          owner = mount
          break
        }
      }
      r[kOwner] = owner
    }
    return owner
  }

  dispatch (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.othersListen()) {
      // Nobody else takes upgrades: fastify routes every one. Those it routes to a mount reach the router's chain
      // with their socket; any other gets fastify's answer as the HTTP request it also is.
      routeUpgrade((this.mounts[0] as Mount).routing, req, socket, head)
      return
    }
    const mount = this.owner(req)
    if (mount !== null) routeUpgrade(mount.routing, req, socket, head)
  }
}

type NodeEventEmitter = import('node:events').EventEmitter

const dispatchers = new WeakMap<NodeEventEmitter, UpgradeDispatcher>()

/**
 * Routes the upgrade requests that `mount` owns to its fastify instance, marked
 * with an {@link UpgradeTicket}. Returns a function that removes the mount again.
 */
export function mountUpgrades (server: NodeEventEmitter, mount: Mount): () => void {
  let dispatcher = dispatchers.get(server)
  if (dispatcher === undefined) {
    dispatcher = new UpgradeDispatcher(server)
    dispatchers.set(server, dispatcher)
  }
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
 * An upgrade pipelined behind a keep-alive request waits until the responses ahead
 * of it are out: the socket is theirs until then.
 */
function routeUpgrade (routing: Routing, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  // Node drops the parser's 'error' listener before emitting 'upgrade'.
  socket.on('error', destroyOnError)
  const earlier = afterEarlierResponses(socket)
  if (earlier === null) routeNow(routing, req, socket, head)
  else void earlier.then(free => { if (free) routeNow(routing, req, socket, head) })
}

function routeNow (routing: Routing, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  try {
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket as import('node:net').Socket)
    res.once('finish', endSocket)
    ;(req as TicketedRequest)[kUpgradeTicket] = { socket, head, res }
    routing(req, res)
  } catch {
    // Nothing may escape to node:http's parser (the process would exit), and a socket nobody answers would hold
    // the server's close open: the connection goes.
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
  // Do not wait for the client's FIN: destroy once ours has been written.
  socket.destroySoon()
}

function destroyOnError (this: Duplex): void {
  this.destroy()
}
