import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { newOptions, type Option, type Options } from './options.js'
import { RouterGroup, checkHandlers } from '../routing/group.js'
import { RouteTable, type RouteInfo } from '../routing/table.js'
import { RequestContext } from '../context/request-context.js'
import { normalizePath, lookupPath } from '../routing/path.js'
import { HijackConnPool } from '../hijack/pool.js'
import type { HijackConn } from '../hijack/hijack-conn.js'
import { serve } from '../pipeline/serve.js'
import { serveUpgrade } from '../pipeline/upgrade.js'
import * as lifecycle from './lifecycle.js'
import { defaultClientIP, type ClientIPFunc } from '../context/client-ip.js'
import { registerPlugin, type Plugin, type RegisterOptions } from '../routing/plugin.js'
import type { CtxCallback, CtxErrCallback, HandlerFunc, HandlersChain, Logger } from '../types.js'

/** @internal where an engine is in its life (lifecycle.ts moves it on). */
export const enum Status { Init, Starting, Running, Shutdown, Closed }

/**
 * The routing and serving engine (Hertz's `route.Engine`): routes, middleware, the request pipeline for plain and
 * upgrade requests, hijack, and the node:http server lifecycle. `server.New` / `server.Default` build one.
 *
 * The work is done by one module per concern: dispatch.ts (the request pipeline), upgrade.ts (upgrade requests and
 * hijack), recovery.ts (errors escaping a chain), client-watch.ts (`c.signal`), lifecycle.ts (start, graceful
 * shutdown, close) and connections.ts (draining node:http connections).
 */
export class Engine extends RouterGroup {
  /** Resolved configuration. */
  readonly options: Options
  /** Hand out fresh hijack conn wrappers instead of pooled ones (see {@link HijackConn}). */
  noHijackConnPool = false
  /** Leave a hijacked socket open when its handler settles; closing it is then up to the handler. */
  keepHijackedConns = false
  /** Hooks run in order by `run()` before listening; the first rejection aborts the start. */
  onRun: CtxErrCallback[] = []
  /** Hooks run concurrently by `shutdown()`; their context aborts when the exit wait time is over. */
  onShutdown: CtxCallback[] = []
  /** Where the engine logs (recovered errors, lifecycle). */
  logger: Logger = console
  /** Called instead of the built-in 500 answer when an error escapes a chain that has no recovery middleware. */
  panicHandler: HandlerFunc | null = null
  /** Requests whose chain is running (or whose body is being read). */
  activeRequests = 0
  /** Time (ms) a plugin may take to load before the start fails with `HERTZ_ERR_PLUGIN_TIMEOUT`; 0 waits forever. */
  pluginTimeout = 10_000

  /** @internal */
  readonly hijackPool = new HijackConnPool()
  /** @internal the routes. */
  readonly table = new RouteTable()
  /** @internal global middleware + noRoute handlers. */
  allNoRoute: HandlersChain = []
  /** @internal global middleware + noMethod handlers. */
  allNoMethod: HandlersChain = []
  /** @internal */
  status = Status.Init
  /** @internal the start in progress (`run()` / `mount()`), for `ready()`. */
  starting: Promise<void> | null = null
  /** @internal the server `run()` listens with. */
  server: Server | null = null
  /** @internal the server given to `mount()`. */
  host: Server | null = null
  /** @internal sockets of upgrade requests, until they close. */
  readonly upgradeSockets = new Set<Socket>()
  /** @internal running chains whose `c.signal` was read. */
  readonly watched = new Set<RequestContext>()
  /** @internal called once no request and no upgrade socket is left. */
  idleWaiters: Array<() => void> = []
  private noRouteHandlers: HandlerFunc[] = []
  private noMethodHandlers: HandlerFunc[] = []
  private clientIPFunc: ClientIPFunc = defaultClientIP

  /** Builds an engine from options; prefer `server.New` / `server.Default`. */
  constructor (...opts: Option[]) {
    const options = newOptions(opts)
    super(null, options.basePath, [])
    this.engineRef = this
    this.options = options
  }

  // ---- routing ----------------------------------------------------------------------------------------------

  /** @internal the single registration point every group and scope goes through. */
  addRoute (method: string, path: string, handlers: HandlersChain): void {
    this.table.add(method, path, handlers)
  }

  /** Adds global middleware; it also runs for 404 / 405 answers, as in Hertz. */
  override use (...middleware: HandlerFunc[]): this {
    super.use(...middleware)
    this.rebuildFallbacks()
    return this
  }

  /** Handlers for requests no route matches (after the global middleware). Default answer: 404 `Not Found`. */
  noRoute (...handlers: HandlerFunc[]): void {
    this.noRouteHandlers = checkHandlers(handlers)
    this.rebuildFallbacks()
  }

  /** Handlers for 405 answers (with `withHandleMethodNotAllowed(true)`). Default answer: `Method Not Allowed`. */
  noMethod (...handlers: HandlerFunc[]): void {
    this.noMethodHandlers = checkHandlers(handlers)
    this.rebuildFallbacks()
  }

  private rebuildFallbacks (): void {
    this.allNoRoute = this.combineHandlers(this.noRouteHandlers)
    this.allNoMethod = this.combineHandlers(this.noMethodHandlers)
  }

  /** Every registered route. */
  routes (): RouteInfo[] {
    return this.table.routes()
  }

  /** True when a route matches `method` and `path` (a request path, decoded and normalized as requests are). */
  hasRoute (method: string, path: string): boolean {
    return this.table.find(method, lookupPath(normalizePath(path))) !== null
  }

  /**
   * Registers a plugin in fastify's style: `plugin(scope, opts)` gets an encapsulated scope under `opts.prefix`.
   * Plugins load in order when the engine starts (`run()`, `spin()`, `mount()`), which fails if one of them does.
   */
  register<O extends object = Record<string, unknown>> (plugin: Plugin<O>, opts?: O & RegisterOptions): this {
    registerPlugin(this, plugin as Plugin<any>, opts)
    return this
  }

  /** Replaces how `c.clientIP()` is computed. */
  setClientIPFunc (fn: ClientIPFunc): void {
    this.clientIPFunc = fn
  }

  /** @internal */
  clientIP (c: RequestContext): string {
    return this.clientIPFunc(c)
  }

  // ---- serving (dispatch.ts, upgrade.ts) --------------------------------------------------------------------

  /** Serves a plain request exactly as the built-in server does; resolves when the chain is done. */
  handleRequest (req: IncomingMessage, res: ServerResponse): Promise<void> {
    return serve(this, new RequestContext(this, req, res, null, null))
  }

  /**
   * Serves an upgrade request (`'upgrade'` event): same lookup and chain, with `c.res` bound to the socket.
   * Resolves when the chain (and a hijack handler, if one ran) is done.
   */
  handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    return serveUpgrade(this, req, socket as Socket, head)
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void serve(this, new RequestContext(this, req, res, null, null))
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    void this.handleUpgrade(req, socket, head)
  }

  // ---- lifecycle (lifecycle.ts) -----------------------------------------------------------------------------

  /** Runs the onRun hooks, then listens. Resolves once listening. */
  run (): Promise<void> {
    return lifecycle.run(this, { onRequest: this.onRequest, onUpgrade: this.onUpgrade })
  }

  /** The listening address (a unix socket path is reported as `address` with family `unix`). */
  address (): AddressInfo {
    return lifecycle.address(this)
  }

  /**
   * Graceful shutdown: stop accepting, close the connections that have no request in flight (never used, or idle
   * between keep-alive requests), let in-flight requests finish (their responses carry `Connection: close` and
   * their connections close after them) while the onShutdown hooks run concurrently; whatever is still open when
   * the exit wait time is over is closed.
   */
  shutdown (): Promise<void> {
    return lifecycle.shutdown(this)
  }

  /**
   * Starts the engine inside a server someone else owns (a fastify mount, `toNodeHandler`): runs the onRun hooks
   * and marks the engine running, without listening.
   *
   * @param host - the node:http server the engine is mounted into, when known: a graceful `unmount()` then also
   *   drains its HTTP connections as `shutdown()` drains the engine's own (closing those with no request in flight)
   */
  mount (host?: Server): Promise<void> {
    return lifecycle.mount(this, host ?? null)
  }

  /**
   * Graceful stop of a mounted engine: new responses carry `Connection: close`, the onShutdown hooks run while
   * in-flight requests and upgraded sockets finish; what is left at the exit wait time is closed. The host
   * server given to `mount()` has its idle connections closed at once and its busy ones after their response.
   */
  unmount (): Promise<void> {
    return lifecycle.unmount(this)
  }

  /**
   * Resolves once the engine has started (fastify's `ready()`): when the start in progress (`run()`, `mount()`)
   * has finished, at once when the engine runs or has run; rejects with that start's error when it fails, and with
   * `HERTZ_ERR_NOT_RUNNING` when no start has begun.
   */
  ready (): Promise<void> {
    return lifecycle.ready(this)
  }

  /** True between `run()`/`mount()` and the start of `shutdown()`/`unmount()`/`close()` (Hertz's `IsRunning`). */
  isRunning (): boolean {
    return this.status === Status.Running
  }

  /** True once shutting down or closed: responses then carry `Connection: close`. */
  isClosing (): boolean {
    return this.status >= Status.Shutdown
  }

  /** Closes the server and every connection (upgraded ones included) at once. */
  close (): Promise<void> {
    return lifecycle.close(this)
  }
}
