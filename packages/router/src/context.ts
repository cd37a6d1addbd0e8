import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import { HertzError, ErrorCodes } from './errors.js'
import { Response, type Chunk } from './response.js'
import { Request, type BodyHolder } from './request.js'
import { readBody } from './body.js'
import { sprintf } from './format.js'
import { Addr } from './addr.js'
import { sendFile } from './static.js'
import { resolve as resolvePath } from 'node:path'
import { startStream, waitDrain, bodyAllowedForStatus } from './write.js'
import type { Context, HandlerFunc, HandlersChain } from './types.js'
import type { Params, RouteEntry } from './routes.js'
import type { HijackHandler } from './hijack.js'
import type { Engine } from './engine.js'

/** Index beyond any chain: `abort()` moves the cursor here (Hertz's `AbortIndex`). */
const ABORT_INDEX = 0x3fffffff
const NO_PARAMS: Params = Object.freeze({}) as Params
const PLAIN = 'text/plain; charset=utf-8'
const JSON_TYPE = 'application/json; charset=utf-8'
const HTML_TYPE = 'text/html; charset=utf-8'

function isThenable (v: unknown): v is PromiseLike<void> {
  return v !== undefined && v !== null && typeof (v as PromiseLike<void>).then === 'function'
}

/**
 * The per-request context handed to every handler (Hertz's `app.RequestContext`). It also implements
 * {@link Context}: the `ctx` a chain starts with is the request context itself, so no second object is made.
 */
export class RequestContext implements Context, BodyHolder {
  /** The original Node request (`url` is the original path and query). */
  readonly req: IncomingMessage
  /** Bytes read past the headers of an upgrade request, null for a plain request. */
  readonly upgradeHead: Buffer | null
  /** The buffered response, written when the chain ends. */
  readonly response = new Response()
  /** The engine serving this request (`c.engine.isClosing()`, `c.engine.logger`, `c.engine.options`). */
  readonly engine: Engine
  /** @internal the socket of an upgrade request, null otherwise. */
  readonly upgradeSocket: Socket | null
  /** @internal the request body once read. */
  body_: Buffer | null = null

  private res_: ServerResponse | null
  private request_: Request | null = null
  private handlers_: HandlersChain = []
  private index = -1
  private route: RouteEntry | null = null
  private params: Params = NO_PARAMS
  /** @internal decoded, normalized path. */
  path_ = '/'
  /** @internal raw query string (after `?`), '' when none. */
  rawQuery = ''
  private queryArgs: URLSearchParams | null = null
  private postArgs: URLSearchParams | null = null
  private keys: Map<string, unknown> | null = null
  private abortController: AbortController | null = null
  /** @internal the hijack handler recorded by `hijack()`. */
  hijackHandler: HijackHandler | null = null
  private taken = false
  /** @internal true once `flush()` switched the response to streaming. */
  streaming = false
  /** @internal true once the chain has ended and the response was handed to the engine. */
  finished = false
  /** @internal stops watching an upgrade socket for the client leaving. */
  unwatch: (() => void) | null = null

  /** @internal */
  constructor (engine: Engine, req: IncomingMessage, res: ServerResponse | null, socket: Socket | null, head: Buffer | null) {
    this.engine = engine
    this.req = req
    this.res_ = res
    this.upgradeSocket = socket
    this.upgradeHead = head
  }

  // ---- raw access -------------------------------------------------------------------------------------------

  /**
   * The Node response. For an upgrade request it is a `ServerResponse` bound to the upgrade socket, created on
   * first access; a normal response written to it reaches the client.
   */
  get res (): ServerResponse {
    let res = this.res_
    if (res === null) {
      res = new ServerResponse(this.req)
      res.assignSocket(this.upgradeSocket as Socket)
      // The socket is closed after this response, so say so.
      res.shouldKeepAlive = false
      this.res_ = res
    }
    return res
  }

  /** @internal the response if it exists yet, without creating one. */
  peekRes (): ServerResponse | null {
    return this.res_
  }

  /** True for a request that arrived through the server's `'upgrade'` event. */
  isUpgrade (): boolean {
    return this.upgradeSocket !== null
  }

  /** The caller owns `c.res` (and, for an upgrade request, the socket) from now on; the router writes nothing more. */
  takeResponse (): void {
    this.taken = true
  }

  /** True after {@link takeResponse}. */
  isResponseTaken (): boolean {
    return this.taken
  }

  /** The request view: headers and buffered body. */
  get request (): Request {
    if (this.request_ === null) this.request_ = new Request(this.req, this)
    return this.request_
  }

  // ---- Context ----------------------------------------------------------------------------------------------

  /** Aborted when the client goes away, on `h.close()`, or when graceful shutdown runs out of time. Lazy. */
  get signal (): AbortSignal {
    if (this.abortController === null) {
      this.abortController = new AbortController()
      this.engine.watchAbort(this)
    }
    return this.abortController.signal
  }

  /** @internal aborts the signal if one was created. */
  abortSignal (reason: unknown): void {
    if (this.abortController !== null && !this.abortController.signal.aborted) this.abortController.abort(reason)
  }

  /** @internal true when `signal` has been read. */
  hasSignal (): boolean {
    return this.abortController !== null
  }

  /** The per-request value stored with `set(key)` (string keys), as Go's `ctx.Value`. */
  value (key: unknown): unknown {
    return typeof key === 'string' && this.keys !== null ? this.keys.get(key) : undefined
  }

  // ---- flow -------------------------------------------------------------------------------------------------

  /** @internal installs the chain and the match. */
  setHandlers (handlers: HandlersChain, route: RouteEntry | null, params: Params): void {
    this.handlers_ = handlers
    this.route = route
    this.params = params
  }

  /**
   * Runs the rest of the chain. Returns a Promise only when some handler did (await it either way: `await
   * c.next(ctx)`). Calling it again once the chain is done does nothing.
   */
  next (ctx: Context = this): void | Promise<void> {
    const handlers = this.handlers_
    while (++this.index < handlers.length) {
      const r = (handlers[this.index] as HandlerFunc)(ctx, this)
      if (isThenable(r)) return this.nextAsync(r, ctx)
    }
  }

  private async nextAsync (pending: PromiseLike<void>, ctx: Context): Promise<void> {
    await pending
    const handlers = this.handlers_
    while (++this.index < handlers.length) {
      const r = (handlers[this.index] as HandlerFunc)(ctx, this)
      if (isThenable(r)) await r
    }
  }

  /** Stops the remaining handlers from running (the current one carries on). */
  abort (): void {
    this.index = ABORT_INDEX
  }

  /** True after {@link abort}. */
  isAborted (): boolean {
    return this.index >= ABORT_INDEX
  }

  /** Sets the status code and aborts. */
  abortWithStatus (code: number): void {
    this.response.setStatusCode(code)
    this.abort()
  }

  /** Clears the response (headers included), answers `msg` as text/plain with `statusCode` and aborts. */
  abortWithMsg (msg: string, statusCode: number): void {
    this.response.reset()
    this.response.setStatusCode(statusCode)
    this.response.header.contentType = PLAIN
    this.response.setBody(msg)
    this.abort()
  }

  /** Aborts and answers `obj` as JSON with `code`. */
  abortWithStatusJSON (code: number, obj: unknown): void {
    this.abort()
    this.json(code, obj)
  }

  /** The handler chain. */
  handlers (): HandlersChain {
    return this.handlers_
  }

  /** The last handler of the chain (the route's own handler). */
  handler (): HandlerFunc | undefined {
    return this.handlers_[this.handlers_.length - 1]
  }

  // ---- output -----------------------------------------------------------------------------------------------

  /** Sets the response status code. */
  setStatusCode (code: number): void {
    this.response.setStatusCode(code)
  }

  /** Sets the response Content-Type. */
  setContentType (contentType: string): void {
    this.response.header.contentType = contentType
  }

  /** Sets a response header; an empty value deletes it (Hertz's `c.Header`). */
  header (key: string, value: string): void {
    if (value === '') this.response.header.del(key)
    else this.response.header.set(key, value)
  }

  /** Asks for the connection to be closed after this response. */
  setConnectionClose (): void {
    this.response.connectionClose = true
  }

  private render (code: number, contentType: string, body: Chunk): void {
    this.response.setStatusCode(code)
    this.response.header.contentType = contentType
    if (bodyAllowedForStatus(code)) this.write(body)
  }

  /** Appends `format` (with Go-style `%v %s %d ...` filled from `values`) as text/plain. */
  string (code: number, format: string, ...values: unknown[]): void {
    this.render(code, PLAIN, values.length === 0 ? format : sprintf(format, values))
  }

  /** Appends `obj` serialized as JSON. */
  json (code: number, obj: unknown): void {
    this.render(code, JSON_TYPE, JSON.stringify(obj) ?? 'null')
  }

  /** Appends raw bytes with the given Content-Type. */
  data (code: number, contentType: string, data: Chunk): void {
    this.render(code, contentType, data)
  }

  /** Appends an HTML document (text/html). */
  html (code: number, html: string): void {
    this.render(code, HTML_TYPE, html)
  }

  /** Sets `Location` and the status (a non-redirect code becomes 302, as in Hertz). Does not abort. */
  redirect (statusCode: number, location: string): void {
    const ok = statusCode === 301 || statusCode === 302 || statusCode === 303 || statusCode === 307 || statusCode === 308
    this.response.header.set('Location', location)
    this.response.setStatusCode(ok ? statusCode : 302)
  }

  /** Clears the response and answers 404 `Not Found`. */
  notFound (): void {
    this.response.reset()
    this.response.setStatusCode(404)
    this.response.setBody('Not Found')
  }

  /** Appends bytes to the body (or writes them straight out once streaming). Returns the byte count. */
  write (chunk: Chunk): number {
    const n = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
    if (this.streaming) {
      this.res.write(chunk)
      this.response.setBytesSent(this.response.bytesSent() + n)
    } else {
      this.response.appendBody(chunk)
    }
    return n
  }

  /** Appends a string to the body. Returns the byte count. */
  writeString (s: string): number {
    return this.write(s)
  }

  /** Replaces the body with a stream of `size` bytes (-1 = unknown, sent chunked). */
  setBodyStream (stream: Readable, size = -1): void {
    this.response.setBodyStream(stream, size)
  }

  /** Answers with the file at `filepath` (type, length, Last-Modified, 304, 403 for directories, 404 when missing). */
  file (filepath: string): Promise<void> {
    return sendFile(this, resolvePath(filepath))
  }

  /**
   * Switches to streaming: the head goes out now (chunked unless a Content-Length was set), buffered bytes
   * follow, and later writes go straight to the client. Resolves once the socket has drained.
   */
  flush (): Promise<void> {
    if (!this.streaming) startStream(this)
    return waitDrain(this)
  }

  // ---- input ------------------------------------------------------------------------------------------------

  /** The value of path parameter `key` ('' when absent). A catch-all value has no leading slash. */
  param (key: string): string {
    const v = this.params[key]
    if (v !== undefined) return v
    if (this.route !== null && key === this.route.wildcard) return this.params['*'] ?? ''
    return ''
  }

  private queries (): URLSearchParams {
    if (this.queryArgs === null) this.queryArgs = new URLSearchParams(this.rawQuery)
    return this.queryArgs
  }

  /** Query value of `key`, '' when absent. */
  query (key: string): string {
    if (this.rawQuery === '') return ''
    return this.queries().get(key) ?? ''
  }

  /** Query value of `key`, or `defaultValue` when absent. */
  defaultQuery (key: string, defaultValue: string): string {
    return this.getQuery(key) ?? defaultValue
  }

  /** Query value of `key`, or undefined when absent (Go's `(value, ok)`). */
  getQuery (key: string): string | undefined {
    if (this.rawQuery === '') return undefined
    return this.queries().get(key) ?? undefined
  }

  /** All query values (parsed once, on first use). */
  queryArgsAll (): URLSearchParams {
    return this.queries()
  }

  private forms (): URLSearchParams {
    if (this.postArgs === null) {
      const ct = this.req.headers['content-type'] ?? ''
      const form = this.body_ !== null && ct.toLowerCase().startsWith('application/x-www-form-urlencoded')
      this.postArgs = new URLSearchParams(form ? (this.body_ as Buffer).toString() : '')
    }
    return this.postArgs
  }

  /** Value of `key` in an urlencoded request body, '' when absent (the body must have been read). */
  postForm (key: string): string {
    return this.forms().get(key) ?? ''
  }

  /** Value of `key` in an urlencoded body, or undefined when absent. */
  getPostForm (key: string): string | undefined {
    return this.forms().get(key) ?? undefined
  }

  /** Value of `key` from the query, else from the urlencoded body; '' when absent. */
  formValue (key: string): string {
    return this.getQuery(key) ?? this.forms().get(key) ?? ''
  }

  /** The Host header ('' when absent). */
  host (): string {
    return this.req.headers.host ?? ''
  }

  /** The decoded, normalized request path. */
  path (): string {
    return this.path_
  }

  /** The request method. */
  method (): string {
    return this.req.method as string
  }

  /** The matched route pattern (`/user/:id`), '' when no route matched. */
  fullPath (): string {
    return this.route === null ? '' : this.route.fullPath
  }

  /** The client IP: through `h.setClientIPFunc`, by default X-Forwarded-For, X-Real-IP, then the peer. */
  clientIP (): string {
    return this.engine.clientIP(this)
  }

  /** The peer address. */
  remoteAddr (): Addr {
    return Addr.remote(this.req.socket)
  }

  /** Request header `key`, '' when absent. */
  getHeader (key: string): string {
    return this.request.header.peek(key)
  }

  /** Value of cookie `name`, '' when absent. */
  cookie (name: string): string {
    const raw = this.req.headers.cookie
    if (raw === undefined) return ''
    for (const part of raw.split(';')) {
      const eq = part.indexOf('=')
      if (eq < 0) continue
      if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
    }
    return ''
  }

  /**
   * The request body. Already buffered unless the engine streams request bodies (`withStreamBody`); then the
   * first call reads it (up to the body limit). Rejects with `HERTZ_ERR_BODY_TOO_LARGE` / `HERTZ_ERR_BODY_ABORTED`.
   */
  async body (): Promise<Buffer> {
    if (this.body_ !== null) return this.body_
    if (this.upgradeSocket !== null) return (this.body_ = Buffer.alloc(0))
    this.body_ = await readBody(this.req, this.engine.options.maxRequestBodySize)
    return this.body_
  }

  /** The request body as a stream: the Node request itself while unread, else a stream over the buffered bytes. */
  requestBodyStream (): Readable {
    return this.body_ === null ? this.req : Readable.from([this.body_])
  }

  /** Stores a per-request value. */
  set (key: string, value: unknown): void {
    if (this.keys === null) this.keys = new Map()
    this.keys.set(key, value)
  }

  /** The value stored under `key`, or undefined. */
  get (key: string): unknown {
    return this.keys === null ? undefined : this.keys.get(key)
  }

  /** The value stored under `key`; throws `HERTZ_ERR_KEY_NOT_FOUND` when there is none. */
  mustGet (key: string): unknown {
    if (this.keys !== null && this.keys.has(key)) return this.keys.get(key)
    throw new HertzError(ErrorCodes.HERTZ_ERR_KEY_NOT_FOUND, `Key "${key}" does not exist`)
  }

  /** Calls `fn(key, value)` for every stored value. */
  forEachKey (fn: (key: string, value: unknown) => void): void {
    if (this.keys !== null) for (const [k, v] of this.keys) fn(k, v)
  }

  // ---- hijack -----------------------------------------------------------------------------------------------

  /**
   * Records `handler` to run with the raw connection once the chain ends and the response head (e.g. a 101) has
   * been written. Only an upgrade request can be hijacked: anything else throws `HERTZ_ERR_NOT_HIJACKABLE`.
   */
  hijack (handler: HijackHandler): void {
    if (typeof handler !== 'function') throw new HertzError(ErrorCodes.HERTZ_ERR_BAD_HANDLER, 'hijack handler must be a function')
    if (this.upgradeSocket === null) {
      throw new HertzError(ErrorCodes.HERTZ_ERR_NOT_HIJACKABLE,
        'only an upgrade request can be hijacked (the server must route \'upgrade\' events to h.handleUpgrade)')
    }
    this.hijackHandler = handler
  }

  /** True once {@link hijack} has been called. */
  hijacked (): boolean {
    return this.hijackHandler !== null
  }
}
