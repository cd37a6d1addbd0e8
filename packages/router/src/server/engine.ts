import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from '../errors.js'
import type { CtxCallback, CtxErrCallback } from '../go-context.js'
import { RequestContext, type HandlerFunc, type HandlersChain } from '../context/request-context.js'
import { defaultClientIP, type ClientIPFunc } from '../context/client-ip.js'
import { HijackConnPool } from '../hijack/pool.js'
import { Inflight } from '../pipeline/inflight.js'
import { serve, serveUpgrade } from '../pipeline/serve.js'
import type { ServingEngine } from '../pipeline/host.js'
import { RouterGroup, checkHandlers } from '../routing/group.js'
import { RouteTable, type RouteInfo } from '../routing/table.js'
import { normalizePath } from '../routing/path.js'
import { registerPlugin, type Plugin, type RegisterOptions } from '../routing/plugin.js'
import { HTMLRender, type Delims, type FuncMap } from '../render/html.js'
import { kAddRoute, kClientIP, kHijackPool, kHTMLRender, kInflight, kLifecycle, kNoMethod, kNoRoute, kServeUpgrade, kTable } from '../symbols.js'
import { Lifecycle, type LifecycleHost } from './lifecycle.js'
import { inject, type InjectOptions, type InjectResponse } from '../inject/inject.js'
import { injectConnection } from '../inject/connection.js'
import { newOptions, type Option, type Options } from './options.js'

// The modules below the engine hold it through EngineRef, which lists only what they use; for applications
// `c.engine` and `scope.engine` are the whole engine.
declare module './engine-ref.js' {
  interface EngineRef extends Engine {}
}

/**
 * The routing and serving engine (Hertz's `route.Engine`): routes, middleware, the request pipeline for plain and
 * upgrade requests, hijack, and the node:http server lifecycle. `server.New` / `server.Default` build one.
 *
 * The work is done by one module per concern: pipeline/serve.ts (the request pipeline, upgrade requests included),
 * pipeline/recover.ts (errors escaping a chain), pipeline/write.ts (the answer), server/lifecycle.ts (start,
 * graceful shutdown, close) and server/drain.ts (draining node:http connections).
 */
export class Engine extends RouterGroup implements ServingEngine, LifecycleHost {
  /** Resolved configuration. */
  readonly options: Options
  /** Hand out fresh hijack conn wrappers instead of pooled ones (see `HijackConn`). */
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
  /** Time (ms) a plugin may take to load before the start fails with `HERTZ_ERR_PLUGIN_TIMEOUT`; 0 waits forever. */
  pluginTimeout = 10_000

  readonly [kInflight] = new Inflight()
  readonly [kTable] = new RouteTable()
  readonly [kHijackPool] = new HijackConnPool()
    ;[kNoRoute]: HandlersChain = []
    ;[kNoMethod]: HandlersChain = []
  readonly [kLifecycle]: Lifecycle
  #noRouteHandlers: HandlerFunc[] = []
  #noMethodHandlers: HandlerFunc[] = []
  #clientIPFunc: ClientIPFunc = defaultClientIP
    ;[kHTMLRender]: HTMLRender | null = null
  #delims: Delims = { left: '{{', right: '}}', tagLeft: '{%', tagRight: '%}' }
  #funcMap: FuncMap = {}

  /** Builds an engine from options; prefer `server.New` / `server.Default`. */
  constructor (...opts: Option[]) {
    const options = newOptions(opts)
    super(null, options.basePath, [])
    this.setEngine(this)
    this.options = options
    this[kLifecycle] = new Lifecycle(this, {
      onRequest: (req, res) => { void this.handleRequest(req, res) },
      onUpgrade: (req, socket, head) => { this[kServeUpgrade](req, socket, head) }
    })
  }

  /** The node:http server `run()` listens with (null before `run()`, and for an engine mounted elsewhere). */
  get server (): Server | null {
    return this[kLifecycle].server
  }

  /** Requests whose chain is running (or whose body is being read). */
  get activeRequests (): number {
    return this[kInflight].requests
  }

  // ---- routing ----------------------------------------------------------------------------------------------

  /** Registers a route: the single registration point every group and scope goes through. */
  [kAddRoute] (method: string, path: string, handlers: HandlersChain): void {
    this[kTable].add(method, path, handlers)
  }

  /** Adds global middleware; it also runs for 404 / 405 answers, as in Hertz. */
  override use (...middleware: HandlerFunc[]): this {
    super.use(...middleware)
    this.#rebuildFallbacks()
    return this
  }

  /** Handlers for requests no route matches (after the global middleware). Default answer: 404 `Not Found`. */
  noRoute (...handlers: HandlerFunc[]): void {
    this.#noRouteHandlers = checkHandlers(handlers)
    this.#rebuildFallbacks()
  }

  /** Handlers for 405 answers (with `withHandleMethodNotAllowed(true)`). Default answer: `Method Not Allowed`. */
  noMethod (...handlers: HandlerFunc[]): void {
    this.#noMethodHandlers = checkHandlers(handlers)
    this.#rebuildFallbacks()
  }

  #rebuildFallbacks (): void {
    this[kNoRoute] = this.combineHandlers(this.#noRouteHandlers)
    this[kNoMethod] = this.combineHandlers(this.#noMethodHandlers)
  }

  /** Every registered route. */
  routes (): RouteInfo[] {
    return this[kTable].routes()
  }

  /** True when a route matches `method` and `path` (a request path, decoded and normalized as requests are). */
  hasRoute (method: string, path: string): boolean {
    return this[kTable].find(method, normalizePath(path)) !== null
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
    this.#clientIPFunc = fn
  }

  /** `c.clientIP()`, computed with the client IP function. */
  [kClientIP] (c: RequestContext): string {
    return this.#clientIPFunc(c)
  }

  // ---- HTML templates (render/) ------------------------------------------------------------------------------

  /**
   * Sets the template delimiters for templates loaded after this call (Hertz's `Delims`): output actions are
   * `left ... right` (default `{{ }}`); Liquid's tags (`if`, `for`, `include`) have their own pair, `{% %}` unless
   * given.
   */
  delims (left: string, right: string, tagLeft = '{%', tagRight = '%}'): void {
    this.#delims = { left, right, tagLeft, tagRight }
  }

  /** Sets the functions that templates loaded after this call can use as filters (Hertz's `SetFuncMap`). */
  setFuncMap (funcMap: FuncMap): void {
    this.#funcMap = { ...funcMap }
  }

  /**
   * Loads and parses the templates matching the glob `pattern` (Hertz's `LoadHTMLGlob`), each named by its file's
   * base name for `c.html(code, name, data)`. Replaces the templates loaded before. Throws when nothing matches or
   * a template does not parse.
   */
  loadHTMLGlob (pattern: string): void {
    const render = new HTMLRender(this.#delims, this.#funcMap)
    render.loadGlob(pattern)
    this[kHTMLRender] = render
  }

  /** Loads and parses the given template files (Hertz's `LoadHTMLFiles`); see {@link loadHTMLGlob}. */
  loadHTMLFiles (...files: string[]): void {
    const render = new HTMLRender(this.#delims, this.#funcMap)
    render.load(files)
    this[kHTMLRender] = render
  }

  // ---- serving (pipeline/) ----------------------------------------------------------------------------------

  /** Serves a plain request exactly as the built-in server does; resolves when the chain is done. */
  handleRequest (req: IncomingMessage, res: ServerResponse): Promise<void> {
    return serve(this, new RequestContext(this, req, res, null, null))
  }

  /**
   * Serves an upgrade request (`'upgrade'` event): same lookup and chain, with `c.res` bound to the socket.
   * Resolves when the chain (and a hijack handler, if one ran) is done.
   */
  handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    return serveUpgrade(this, req, socket as Socket, head, true)
  }

  /** {@link Engine.handleUpgrade} for a listener that drops the promise: it does not wait for the hijack. */
  [kServeUpgrade] (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    void serveUpgrade(this, req, socket as Socket, head, false)
  }

  /**
   * For code that writes a request's Node response itself, outside the router's own answer (a wrapped Node
   * handler, whose response may outlive its chain's synchronous run): if a graceful shutdown begins before the head
   * of `res` has gone out, `res` says `Connection: close`, as the router's own answers then do. Without a node:http
   * server of its own to drain (an engine served through `toNodeHandler`, or mounted without a host) this is the
   * only way the engine learns of such a response. Call {@link releaseOnShutdown} once the response is over.
   *
   * @param res - the Node response of a request this engine serves
   */
  closeOnShutdown (res: ServerResponse): void {
    if (this.isClosing()) res.shouldKeepAlive = false
    else this[kInflight].responses.add(res)
  }

  /**
   * Forgets a response given to {@link closeOnShutdown}.
   *
   * @param res - the response, now over
   */
  releaseOnShutdown (res: ServerResponse): void {
    this[kInflight].responses.delete(res)
  }

  // ---- in-process testing (inject/) --------------------------------------------------------------------------

  /**
   * Serves one request in memory through the whole chain (middleware, 404/405, redirects, recovery, streamed
   * bodies, wrapped Node handlers), as fastify's `inject` and Hertz's `ut.PerformRequest` do: no socket is opened,
   * the engine need not run. The plugins load first (once); the onRun hooks do not run, so `run()` may follow.
   *
   * @param opts - a URL, or `{ method, url, headers, payload, cookies, query }` (light-my-request's options)
   * @returns the answer: `statusCode`, `headers`, `body`, `json()`, `cookies`, `rawPayload`
   * @throws HertzError `HERTZ_ERR_PLUGIN_FAILED` / `HERTZ_ERR_PLUGIN_TIMEOUT` (rejection) when a plugin fails to load
   */
  inject (opts: string | InjectOptions): Promise<InjectResponse> {
    return inject(this, opts)
  }

  /**
   * Opens a client connection to this engine in memory (no socket, no port, the engine need not run): what is
   * written to it is parsed by node:http as on the engine's own server, plain requests and upgrades alike, and the
   * answers come back on it. Give it to any HTTP client as its connection: `http.request({ createConnection })`,
   * ws-compat's `injectWS(h, path)` (a WebSocket `Conn`, through the `Dialer`'s `netDial`). The plugins load first
   * (once); the onRun hooks do not run. Close the connection when done: `h.close()` ends only its upgrades.
   *
   * @returns the client end, a Duplex shaped like a `net.Socket`
   * @throws HertzError `HERTZ_ERR_PLUGIN_FAILED` / `HERTZ_ERR_PLUGIN_TIMEOUT` (rejection) when a plugin fails to load
   */
  injectConnection (): Promise<Duplex> {
    return injectConnection(this)
  }

  // ---- lifecycle (server/lifecycle.ts) ----------------------------------------------------------------------

  /** Runs the onRun hooks, then listens. Resolves once listening. */
  run (): Promise<void> {
    return this[kLifecycle].run()
  }

  /** The listening address (a unix socket path is reported as `address` with family `unix`). */
  address (): AddressInfo {
    return this[kLifecycle].address()
  }

  /**
   * Graceful shutdown: stop accepting, close the connections that have no request in flight (never used, or idle
   * between keep-alive requests), let in-flight requests finish (their responses carry `Connection: close` and
   * their connections close after them) while the onShutdown hooks run concurrently; whatever is still open when
   * the exit wait time is over is closed.
   */
  shutdown (): Promise<void> {
    return this[kLifecycle].shutdown()
  }

  /**
   * Starts the engine inside a server someone else owns (a fastify mount, `toNodeHandler`): runs the onRun hooks
   * and marks the engine running, without listening.
   *
   * @param host - the node:http server the engine is mounted into, when known: a graceful `unmount()` then also
   *   drains its HTTP connections as `shutdown()` drains the engine's own (closing those with no request in flight)
   */
  mount (host?: Server): Promise<void> {
    return this[kLifecycle].mount(host ?? null)
  }

  /**
   * Graceful stop of a mounted engine: new responses carry `Connection: close`, the onShutdown hooks run while
   * in-flight requests and upgraded sockets finish; what is left at the exit wait time is closed. The host
   * server given to `mount()` has its idle connections closed at once and its busy ones after their response.
   */
  unmount (): Promise<void> {
    return this[kLifecycle].unmount()
  }

  /**
   * Resolves once the engine has started (fastify's `ready()`): when the start in progress (`run()`, `mount()`)
   * has finished, at once when the engine runs or has run; rejects with that start's error when it fails, and with
   * `HERTZ_ERR_NOT_RUNNING` when no start has begun.
   */
  ready (): Promise<void> {
    return this[kLifecycle].ready()
  }

  /** True between `run()`/`mount()` and the start of `shutdown()`/`unmount()`/`close()` (Hertz's `IsRunning`). */
  isRunning (): boolean {
    return this[kLifecycle].isRunning()
  }

  /** True once shutting down or closed: responses then carry `Connection: close`. */
  isClosing (): boolean {
    return this[kLifecycle].isClosing()
  }

  /** Closes the server and every connection (upgraded ones included) at once. */
  close (): Promise<void> {
    return this[kLifecycle].close()
  }
}
