import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { isIP } from 'node:net'
import { HertzError, ErrorCodes } from './errors.js'
import { newOptions, type Option, type Options } from './options.js'
import { RouterGroup } from './router-group.js'
import { RouteTable, type Params, type RouteInfo } from './routes.js'
import { RequestContext } from './context.js'
import { normalizePath, lookupPath, quotePath, absoluteFormPath } from './path.js'
import { headFlags, HAS_HOST, HAS_BODY, declaredLength, readBody } from './body.js'
import { sendResponse, rawResponse } from './write.js'
import { HijackConnPool, HijackConn } from './hijack.js'
import { createNodeServer, listen } from './transport.js'
import { describeError, statusForError } from './recovery.js'
import { background, contextWithSignal } from './ctx.js'
import type { CtxCallback, CtxErrCallback, HandlerFunc, HandlersChain, Logger } from './types.js'
import { registerPlugin, loadPlugins, scopedNoRoute, type Plugin, type RegisterOptions } from './plugin.js'
import { shutdownSocket, type SocketShutdownHandler } from './socket-shutdown.js'

const DONE: Promise<void> = Promise.resolve()
const NO_PARAMS: Params = Object.freeze({}) as Params

const enum Status { Init, Starting, Running, Shutdown, Closed }

/** Returns the client IP for a request (see `h.setClientIPFunc`). */
export type ClientIPFunc = (c: RequestContext) => string

function noop (): void {}

function firstValidIP (list: string | undefined): string {
  if (list === undefined || list === '') return ''
  const first = (list.split(',')[0] as string).trim()
  return isIP(first) !== 0 ? first : ''
}

/** Hertz's default: X-Forwarded-For (first entry), then X-Real-IP, then the peer address. */
export function defaultClientIP (c: RequestContext): string {
  const h = c.req.headers
  const xff = h['x-forwarded-for']
  const ip = firstValidIP(Array.isArray(xff) ? xff[0] : xff) || firstValidIP(h['x-real-ip'] as string | undefined)
  return ip !== '' ? ip : (c.req.socket.remoteAddress ?? '')
}

/**
 * The routing and serving engine (Hertz's `route.Engine`): routes, middleware, the request pipeline for plain and
 * upgrade requests, hijack, and the node:http server lifecycle. `server.New` / `server.Default` build one.
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
  private readonly table = new RouteTable()
  private noRouteHandlers: HandlerFunc[] = []
  private noMethodHandlers: HandlerFunc[] = []
  private allNoRoute: HandlersChain = []
  private allNoMethod: HandlersChain = []
  private status = Status.Init
  private server: Server | null = null
  private readonly upgradeSockets = new Set<Socket>()
  private readonly watched = new Set<RequestContext>()
  private clientIPFunc: ClientIPFunc = defaultClientIP
  private idleWaiters: Array<() => void> = []

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
    this.noRouteHandlers = handlers
    this.rebuildFallbacks()
  }

  /** Handlers for 405 answers (with `withHandleMethodNotAllowed(true)`). Default answer: `Method Not Allowed`. */
  noMethod (...handlers: HandlerFunc[]): void {
    this.noMethodHandlers = handlers
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

  // ---- plugins (plugin.ts) ----------------------------------------------------------------------------------

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

  // ---- serving ----------------------------------------------------------------------------------------------

  /** Serves a plain request exactly as the built-in server does; resolves when the chain is done. */
  handleRequest (req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.serve(new RequestContext(this, req, res, null, null))
  }

  /**
   * Serves an upgrade request (`'upgrade'` event): same lookup and chain, with `c.res` bound to the socket.
   * Resolves when the chain (and a hijack handler, if one ran) is done.
   */
  handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const s = socket as Socket
    // Nobody may be listening for errors on a detached socket yet; an unhandled 'error' would crash the process.
    s.on('error', noop)
    this.upgradeSockets.add(s)
    s.once('close', () => {
      this.upgradeSockets.delete(s)
      if (this.idleWaiters.length !== 0) this.checkIdle()
    })
    return this.serve(new RequestContext(this, req, null, s, head))
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void this.serve(new RequestContext(this, req, res, null, null))
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    void this.handleUpgrade(req, socket, head)
  }

  private serve (c: RequestContext): Promise<void> {
    this.activeRequests++
    try {
      const r = this.dispatch(c)
      if (r !== undefined) return r.then(() => this.complete(c), (err: unknown) => this.recover(c, err))
    } catch (err) {
      return this.recover(c, err)
    }
    return this.complete(c)
  }

  /** Path checks, body, lookup, chain. Returns a Promise only when something was asynchronous. */
  private dispatch (c: RequestContext): void | Promise<void> {
    const req = c.req
    let url = req.url as string
    if (url.charCodeAt(0) !== 47) {
      const abs = absoluteFormPath(url)
      if (abs === null) return this.serveError(c, 400, 'Bad Request', this.handlers)
      url = abs
    }
    const q = url.indexOf('?')
    let raw = url
    if (q >= 0) {
      raw = url.slice(0, q)
      c.rawQuery = url.slice(q + 1)
    }
    const path = normalizePath(raw)
    c.path_ = path
    const flags = headFlags(req)
    if ((flags & HAS_HOST) === 0 && req.httpVersionMinor === 1 && req.httpVersionMajor === 1 && req.method !== 'CONNECT') {
      return this.serveError(c, 400, 'missing required Host header', this.handlers)
    }
    if ((flags & HAS_BODY) !== 0 && !this.options.streamRequestBody && c.upgradeSocket === null) {
      const max = this.options.maxRequestBodySize
      if (declaredLength(req) > max) return this.bodyTooLarge(c)
      return readBody(req, max).then(body => {
        c.body_ = body
        return this.route(c, path)
      }, (err: unknown) => {
        if (err instanceof HertzError && err.code === ErrorCodes.HERTZ_ERR_BODY_TOO_LARGE) this.bodyTooLarge(c)
      })
    }
    return this.route(c, path)
  }

  private bodyTooLarge (c: RequestContext): void {
    c.abortWithMsg('Request Entity Too Large', 413)
    c.setConnectionClose()
  }

  private route (c: RequestContext, path: string): void | Promise<void> {
    const method = c.req.method as string
    const lp = lookupPath(path)
    const match = this.table.find(method, lp)
    if (match !== null) {
      c.setHandlers(match.store.handlers, match.store, match.params)
      return c.next(c)
    }
    const o = this.options
    if (method !== 'CONNECT' && path !== '/') {
      if (o.redirectTrailingSlash) {
        const alt = path.endsWith('/') ? path.slice(0, -1) : path + '/'
        if (this.table.find(method, lookupPath(alt)) !== null) return this.redirectTo(c, alt)
      }
      if (o.redirectFixedPath) {
        const fixed = this.table.fixedPath(method, path, lookupPath)
        if (fixed !== null) return this.redirectTo(c, fixed)
      }
    }
    if (o.handleMethodNotAllowed) {
      const allowed = this.table.allowed(method, lp)
      if (allowed.length > 0) {
        c.response.header.set('Allow', allowed.join(', '))
        return this.serveError(c, 405, 'Method Not Allowed', this.allNoMethod)
      }
    }
    return this.serveError(c, 404, 'Not Found', scopedNoRoute(this, path) ?? this.allNoRoute)
  }

  /** 301 for GET, 307 otherwise, keeping the query (Hertz's redirectRequest). */
  private redirectTo (c: RequestContext, path: string): void {
    const location = quotePath(path) + (c.rawQuery === '' ? '' : '?' + c.rawQuery)
    c.redirect(c.req.method === 'GET' ? 301 : 307, location)
  }

  /** Runs `chain` with status `code` preset; fills in the default text if the chain left the answer empty. */
  private serveError (c: RequestContext, code: number, msg: string, chain: HandlersChain): void | Promise<void> {
    c.setStatusCode(code)
    c.setHandlers(chain, null, NO_PARAMS)
    const r = c.next(c)
    if (r !== undefined) return r.then(() => { fillDefault(c, code, msg) })
    fillDefault(c, code, msg)
  }

  /** An error escaped the chain: log it and answer as recovery would. Never rejects. */
  private recover (c: RequestContext, err: unknown): Promise<void> {
    try {
      if (this.panicHandler !== null) {
        const r = this.panicHandler(c, c)
        if (r !== undefined) {
          return r.then(() => this.complete(c), (e: unknown) => { this.logError(e); return this.complete(c) })
        }
      } else {
        this.logError(err)
        const status = statusForError(err)
        if (status === 413) c.setConnectionClose()
        c.abortWithStatus(status)
      }
    } catch (e) {
      this.logError(e)
    }
    return this.complete(c)
  }

  private logError (err: unknown): void {
    this.logger.error(`[Recovery] err=${err instanceof Error ? err.message : String(err)}\nstack=${describeError(err)}`)
  }

  /** The chain is over: write the response (or run the hijack handler). Never rejects. */
  private complete (c: RequestContext): Promise<void> {
    if (--this.activeRequests === 0 && this.idleWaiters.length !== 0) this.checkIdle()
    c.finished = true
    if (c.hasSignal()) {
      this.watched.delete(c)
      if (c.unwatch !== null) c.unwatch()
    }
    if (c.isResponseTaken()) return DONE
    if (c.upgradeSocket !== null) return this.completeUpgrade(c, c.upgradeSocket)
    const res = c.res
    if (c.streaming) {
      if (!res.writableEnded) res.end()
      return DONE
    }
    if (res.headersSent || res.writableEnded || res.destroyed) return DONE
    this.send(c)
    return DONE
  }

  /** Writes the buffered response; if that throws (bad header, bad status) answers a bare 500 instead. */
  private send (c: RequestContext): void {
    try {
      sendResponse(c)
    } catch (err) {
      this.logError(err)
      const res = c.res
      if (res.headersSent) { res.destroy(); return }
      c.response.reset()
      c.response.setStatusCode(500)
      c.response.setBody('Internal Server Error')
      try { sendResponse(c) } catch { res.destroy() }
    }
  }

  private completeUpgrade (c: RequestContext, socket: Socket): Promise<void> {
    const existing = c.peekRes()
    if (c.hijackHandler !== null && (existing === null || !existing.headersSent)) {
      let head: Buffer | null = null
      try {
        head = rawResponse(c)
      } catch (err) {
        this.logError(err)
        c.response.reset()
        c.response.setStatusCode(500)
      }
      if (head !== null) {
        // A client that already hung up is gone: there is nobody to hand the connection to.
        if (socket.destroyed || socket.readableEnded) {
          socket.destroy()
          return DONE
        }
        socket.write(head)
        return this.runHijack(c, socket)
      }
    }
    const res = c.res
    if (c.streaming) {
      if (!res.writableEnded) res.end()
    } else if (!res.headersSent && !res.writableEnded) {
      this.send(c)
    }
    if (res.writableFinished) socket.destroySoon()
    else res.once('finish', () => { socket.destroySoon() })
    return DONE
  }

  private async runHijack (c: RequestContext, socket: Socket): Promise<void> {
    const handler = c.hijackHandler as NonNullable<RequestContext['hijackHandler']>
    socket.setTimeout(0)
    const pooled = !this.noHijackConnPool
    const keep = this.keepHijackedConns
    const core = this.hijackPool.acquire(pooled)
    core.attach(socket, c.upgradeHead)
    const conn = new HijackConn(core, this.hijackPool, pooled, keep)
    try {
      await handler(conn)
    } catch (err) {
      this.logger.error(`hijack handler error: ${describeError(err)}`)
    } finally {
      if (!keep) {
        core.close()
        this.hijackPool.release(core, pooled)
      }
    }
  }

  /** @internal called when `c.signal` is first read: abort it when the client goes away. */
  watchAbort (c: RequestContext): void {
    if (c.finished) return
    const target = c.upgradeSocket ?? c.res
    if (target.destroyed || c.upgradeSocket?.readableEnded === true) {
      c.abortSignal(clientGone())
      c.upgradeSocket?.destroy()
      return
    }
    this.watched.add(c)
    const gone = (): void => { if (!c.finished) c.abortSignal(clientGone()) }
    target.once('close', gone)
    const socket = c.upgradeSocket
    if (socket === null) return
    // A detached upgrade socket is not read by anyone, so the peer leaving goes unnoticed. Listening for
    // 'readable' makes node read it again: bytes stay buffered in the socket for whoever takes it over, and
    // read(0) on an empty buffer surfaces the end of stream without consuming anything.
    const poke = (): void => { if (socket.readableLength === 0) socket.read(0) }
    // Upgrade sockets are half-open, so a client's FIN alone never leads to 'close'. A client that stops sending
    // before it got an answer cannot take part in an upgraded protocol: it counts as gone, and destroying its
    // socket also wakes whatever waits for the socket to close.
    const ended = (): void => {
      if (c.finished) return
      c.abortSignal(clientGone())
      socket.destroy()
    }
    socket.on('readable', poke)
    socket.once('end', ended)
    c.unwatch = () => {
      socket.removeListener('readable', poke)
      socket.removeListener('end', ended)
      socket.removeListener('close', gone)
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------------------------

  /** Runs the onRun hooks, then listens. Resolves once listening. */
  async run (): Promise<void> {
    if (this.status !== Status.Init) {
      throw new HertzError(ErrorCodes.HERTZ_ERR_ALREADY_RUNNING, 'engine is already running (or has run)')
    }
    this.status = Status.Starting
    try {
      await loadPlugins(this)
      const ctx = background()
      for (const hook of this.onRun) await hook(ctx)
      const server = createNodeServer(this.options, { onRequest: this.onRequest, onUpgrade: this.onUpgrade })
      this.server = server
      await listen(server, this.options)
    } catch (err) {
      this.server = null
      this.status = Status.Init
      throw err
    }
    this.status = Status.Running
  }

  /** The listening address (a unix socket path is reported as `address` with family `unix`). */
  address (): AddressInfo {
    const a = this.server?.address()
    if (a === undefined || a === null) throw new HertzError(ErrorCodes.HERTZ_ERR_NOT_RUNNING, 'engine is not running')
    return typeof a === 'string' ? { address: a, family: 'unix', port: 0 } : a
  }

  /**
   * Graceful shutdown: stop accepting, close idle keep-alive connections, let in-flight requests finish (their
   * responses carry `Connection: close`) while the onShutdown hooks run concurrently; whatever is still open
   * when the exit wait time is over is closed.
   */
  async shutdown (): Promise<void> {
    const server = this.server
    if (this.status !== Status.Running || server === null) {
      throw new HertzError(ErrorCodes.HERTZ_ERR_NOT_RUNNING, 'engine is not running')
    }
    this.status = Status.Shutdown
    const closed = new Promise<void>(resolve => { server.close(() => { resolve() }) })
    server.closeIdleConnections()
    await this.drain(closed)
  }

  /**
   * Starts the engine inside a server someone else owns (a fastify mount, `toNodeHandler`): runs the onRun hooks
   * and marks the engine running, without listening.
   */
  async mount (): Promise<void> {
    if (this.status !== Status.Init) {
      throw new HertzError(ErrorCodes.HERTZ_ERR_ALREADY_RUNNING, 'engine is already running (or has run)')
    }
    this.status = Status.Starting
    try {
      await loadPlugins(this)
      const ctx = background()
      for (const hook of this.onRun) await hook(ctx)
    } catch (err) {
      this.status = Status.Init
      throw err
    }
    this.status = Status.Running
  }

  /**
   * Graceful stop of a mounted engine: new responses carry `Connection: close`, the onShutdown hooks run while
   * in-flight requests and upgraded sockets finish; what is left at the exit wait time is closed.
   */
  async unmount (): Promise<void> {
    if (this.status !== Status.Running || this.server !== null) {
      throw new HertzError(ErrorCodes.HERTZ_ERR_NOT_RUNNING, 'engine is not mounted')
    }
    this.status = Status.Shutdown
    await this.drain(new Promise<void>(resolve => { this.whenIdle(resolve) }))
  }

  /** True between `run()`/`mount()` and the start of `shutdown()`/`unmount()`/`close()` (Hertz's `IsRunning`). */
  isRunning (): boolean {
    return this.status === Status.Running
  }

  /** True once shutting down or closed: responses then carry `Connection: close`. */
  isClosing (): boolean {
    return this.status >= Status.Shutdown
  }

  /** Runs the onShutdown hooks until they and `finished` settle or the exit wait time is over, then force-closes. */
  private async drain (finished: Promise<void>): Promise<void> {
    const wait = this.options.exitWaitTime
    this.logger.info(`Begin graceful shutdown, wait at most ${wait} ms ...`)
    const ac = new AbortController()
    const timer = setTimeout(() => { ac.abort(new HertzError(ErrorCodes.HERTZ_ERR_SERVER_CLOSED, 'exit wait time is over')) }, wait)
    const ctx = contextWithSignal(ac.signal)
    const hooks = Promise.all(this.onShutdown.map(hook => Promise.resolve().then(() => hook(ctx)).then(undefined,
      (err: unknown) => { this.logger.error(`onShutdown hook error: ${describeError(err)}`) })))
    // Taken-over connections say goodbye in their own protocol (onSocketShutdown) once the hooks have started, so
    // an application's own goodbye goes first. Waiting for those sockets to close is part of `finished`; what is
    // still open at the exit wait time is destroyed by forceClose().
    void Promise.resolve().then(() => { for (const s of this.upgradeSockets) shutdownSocket(s, this.goodbye) })
    const timedOut = new Promise<void>(resolve => { ac.signal.addEventListener('abort', () => { resolve() }) })
    await Promise.race([Promise.all([hooks, finished]), timedOut])
    clearTimeout(timer)
    this.logger.info(ac.signal.aborted ? 'Graceful shutdown timed out, closing what is left' : 'Graceful shutdown finished')
    this.forceClose()
    this.status = Status.Closed
  }

  /** Runs a socket's shutdown handler; once it settles the socket is closed (after pending writes). */
  private readonly goodbye = (socket: Duplex, handler: SocketShutdownHandler): void => {
    if (socket.destroyed) return
    let r: void | Promise<void> = undefined
    try {
      r = handler()
    } catch (err) {
      this.logger.error(`socket shutdown handler error: ${describeError(err)}`)
    }
    void Promise.resolve(r).then(undefined, (err: unknown) => {
      this.logger.error(`socket shutdown handler error: ${describeError(err)}`)
    }).then(() => { if (!socket.destroyed) (socket as Socket).destroySoon() })
  }

  private whenIdle (fn: () => void): void {
    this.idleWaiters.push(fn)
    this.checkIdle()
  }

  private checkIdle (): void {
    if (this.activeRequests !== 0 || this.upgradeSockets.size !== 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const fn of waiters) fn()
  }

  /** Closes the server and every connection (upgraded ones included) at once. */
  async close (): Promise<void> {
    const server = this.server
    this.status = Status.Closed
    if (server === null) {
      this.forceClose()
      return
    }
    const closed = new Promise<void>(resolve => { server.close(() => { resolve() }) })
    this.forceClose()
    await closed
  }

  private forceClose (): void {
    this.server?.closeAllConnections()
    for (const s of this.upgradeSockets) s.destroy()
    this.upgradeSockets.clear()
    const reason = new HertzError(ErrorCodes.HERTZ_ERR_SERVER_CLOSED, 'server closed')
    for (const c of this.watched) c.abortSignal(reason)
    this.watched.clear()
  }
}

function clientGone (): HertzError {
  return new HertzError(ErrorCodes.HERTZ_ERR_CLIENT_CLOSED, 'client closed the connection')
}

function fillDefault (c: RequestContext, code: number, msg: string): void {
  const r = c.response
  if (r.statusCode() === code && !r.hasBody()) {
    r.header.contentType = 'text/plain'
    r.setBody(msg)
  }
}
