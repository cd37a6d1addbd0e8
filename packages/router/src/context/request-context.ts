import { HertzError, HertzErrorCode } from '../errors.js'
import type { Context } from '../go-context.js'
import type { HijackHandler } from '../hijack/hijack-conn.js'
import { PLAIN } from '../pipeline/write.js'
import { parseHTTPDate } from '../routing/http-date.js'
import { checkFS, fsRequestHandler } from '../routing/fs-handler.js'
import { normalizePath } from '../routing/path.js'
import { serveFile } from '../routing/serve-file.js'
import {
  kBody, kClientIP, kClientIPFunc, kFinish, kFinished, kFormValueFunc, kFullPath, kHandlers, kHijackHandler, kHijackRun, kIndex,
  kParams, kPath, kPeekRes, kRawQuery, kRoute, kUpgradeSocket
} from '../symbols.js'
import { ContextError, ErrorChain, ErrorTypePrivate } from './error-chain.js'
import { defaultFormValue } from './forms.js'
import { getHandlerName } from './handler-name.js'
import { ContextBind } from './bind.js'

/** Returns the client IP for a request (see `h.setClientIPFunc`, `clientIPWithOption`). */
export type ClientIPFunc = (c: RequestContext) => string

/** Computes `c.formValue(key)` (see `c.setFormValueFunc`). */
export type FormValueFunc = (c: RequestContext, key: string) => string

/** Computes the file path (below `FS.root`) for a request (Hertz's `PathRewriteFunc`). */
export type PathRewriteFunc = (c: RequestContext) => string

/**
 * How files are served from a directory (Hertz's `app.FS`), by `h.staticFS` routes and `c.fileFromFS`. As in Hertz
 * the file is looked up as `root` + the request path (`c.path()`), so `h.staticFS('/assets', { root: './public' })`
 * serves `./public/assets/...`; give `pathRewrite: newPathSlashesStripper(1)` to serve `./public/...` instead. The
 * handler is built once per FS object, from its options as they are then, as Hertz's `NewRequestHandler`.
 */
export interface FS {
  /** Directory to serve from; '' or absent = the working directory (as Hertz's empty `Root`). */
  root?: string
  /** File names tried, in order, when a directory is asked for (`index.html`). Default none. */
  indexNames?: readonly string[]
  /** Answer a directory without an index file with a listing of its entries. Default off (403). */
  generateIndexPages?: boolean
  /** Gzip compressible files (text, JSON, JS, XML, SVG) and listings for clients that accept it. Default off. */
  compress?: boolean
  /** Serve `Range: bytes=` requests (206 / 416) and announce `Accept-Ranges: bytes`. Default off. */
  acceptByteRange?: boolean
  /** The path below `root` to serve for a request; default `c.path()`. */
  pathRewrite?: PathRewriteFunc
  /** Runs, with status 404 preset, instead of the `Cannot open requested path` answer. */
  pathNotFound?: HandlerFunc
}

/** An {@link FS} with only its root, what `c.fileFromFS` took before it took any FS. */
export interface FileSystemRoot extends FS {
  /** The directory served. */
  readonly root: string
}

/** A handler or middleware, as in Hertz: `func(ctx context.Context, c *app.RequestContext)`. */
export type HandlerFunc = (ctx: Context, c: RequestContext) => void | Promise<void>

/** Handler chain: group middleware followed by route handlers. */
export type HandlersChain = readonly HandlerFunc[]

const NO_HANDLERS: HandlersChain = []

/** Index beyond any chain: `abort()` moves the cursor here (Hertz's `AbortIndex`). */
const ABORT_INDEX = 0x3fffffff

/**
 * True for anything `await` would wait on (a Promise or any other thenable). The router, the adaptor and ws-compat
 * use it to tell a function that answered at once from one that answers later.
 */
export function isThenable (v: unknown): v is PromiseLike<unknown> {
  return v !== undefined && v !== null && typeof (v as PromiseLike<unknown>).then === 'function'
}

async function nextAsync (c: RequestContext, pending: PromiseLike<unknown>, ctx: Context): Promise<void> {
  await pending
  const handlers = c[kHandlers]
  while (++c[kIndex] < handlers.length) {
    const r = (handlers[c[kIndex]] as HandlerFunc)(ctx, c)
    if (isThenable(r)) await r
  }
}

/**
 * The per-request context handed to every handler (Hertz's `app.RequestContext`). It also implements
 * {@link Context}: the `ctx` a chain starts with is the request context itself, so no second object is made.
 *
 * Its methods come in layers, one file each: ContextCore (core.ts: state, raw Node access, keys), ContextInput
 * (input.ts: the request), ContextOutput (output.ts: the response), and this class: the chain and hijack.
 */
export class RequestContext extends ContextBind {
  /** The chain being run (shared empty until a chain is installed: no array per request). */
  [kHandlers]: HandlersChain = NO_HANDLERS
  /** Position in the chain. */
    ;[kIndex] = -1
  /** The hijack handler recorded by `hijack()`. */
    ;[kHijackHandler]: HijackHandler | null = null
  /** The hijack handler's run, once the connection was handed over. */
    ;[kHijackRun]: Promise<void> | null = null
  /** The context's own form value function, null for Hertz's default. */
    ;[kFormValueFunc]: FormValueFunc | null = null
  /** The context's own client IP function, null for the engine's. */
    ;[kClientIPFunc]: ClientIPFunc | null = null
  /** Resolves {@link finished}'s promise, once someone asked for it. */
    ;[kFinish]: (() => void) | null = null
  #errors: ErrorChain | null = null
  #finished: Promise<void> | null = null

  /**
   * The errors recorded with {@link error} (Hertz's `c.Errors`). Made on first use: an Array subclass per request
   * would double the router's CPU per request.
   */
  get errors (): ErrorChain {
    this.#errors ??= new ErrorChain()
    return this.#errors
  }

  // ---- errors -----------------------------------------------------------------------------------------------

  /**
   * Records `err` on the request and returns its entry (a {@link ContextError} stays as it is; another error
   * becomes one of type `ErrorTypePrivate`). Throws `HERTZ_ERR_BAD_HANDLER` for a null or undefined `err`, where
   * Hertz panics.
   */
  error (err: unknown): ContextError {
    if (err === null || err === undefined) throw new HertzError(HertzErrorCode.BAD_HANDLER, 'c.error(err): err is nil')
    const entry = err instanceof ContextError
      ? err
      : new ContextError(err instanceof Error ? err : new Error(String(err)), ErrorTypePrivate)
    this.errors.push(entry)
    return entry
  }

  /** Sets the status, aborts, and records `err` (Hertz's `AbortWithError`). */
  abortWithError (code: number, err: unknown): ContextError {
    this.abortWithStatus(code)
    return this.error(err)
  }

  // ---- request facts that depend on the engine ---------------------------------------------------------------

  /** The client IP: this context's `setClientIPFunc`, else the engine's (by default Hertz's, see the README). */
  clientIP (): string {
    const fn = this[kClientIPFunc]
    return fn !== null ? fn(this) : this.engine[kClientIP](this)
  }

  /** Computes {@link clientIP} with `fn` for this request only. */
  setClientIPFunc (fn: ClientIPFunc): void {
    this[kClientIPFunc] = fn
  }

  /**
   * Value of `key` from the query, else the urlencoded body, else the multipart form ('' when none has a non-empty
   * one), or what {@link setFormValueFunc} computes.
   */
  formValue (key: string): string {
    const fn = this[kFormValueFunc]
    return fn !== null ? fn(this, key) : defaultFormValue(this, key)
  }

  /** Computes {@link formValue} with `fn` for this request. */
  setFormValueFunc (fn: FormValueFunc): void {
    this[kFormValueFunc] = fn
  }

  /**
   * True when `lastModified` (truncated to seconds) is after the request's If-Modified-Since, or when that header
   * is missing or not an HTTP date.
   */
  ifModifiedSince (lastModified: Date): boolean {
    const v = this.req.headers['if-modified-since']
    if (v === undefined || v === '') return true
    const since = parseHTTPDate(v)
    if (Number.isNaN(since)) return true
    return since < Math.floor(lastModified.getTime() / 1000) * 1000
  }

  /** Resolves once the request is over: its answer handed to the engine (Hertz's `Finished()` channel). */
  finished (): Promise<void> {
    if (this.#finished === null) {
      this.#finished = this[kFinished] ? Promise.resolve() : new Promise(resolve => { this[kFinish] = resolve })
    }
    return this.#finished
  }

  // ---- the chain --------------------------------------------------------------------------------------------

  /**
   * Runs the rest of the chain. Returns a Promise only when some handler did (await it either way: `await
   * c.next(ctx)`). Calling it again once the chain is done does nothing.
   *
   * A handler's Promise is awaited before the next handler runs, and the cursor is read again then, as Go's
   * loop reads it after each handler returns. When the handler that returned it is the last one, its Promise
   * is returned as it is: the chain is over when it settles, so moving the cursor back (`setIndex`,
   * `setHandlers`) after an `await` in the last handler runs nothing more; before its first `await` it does.
   */
  next (ctx: Context = this): void | Promise<void> {
    const handlers = this[kHandlers]
    while (++this[kIndex] < handlers.length) {
      const r = (handlers[this[kIndex]] as HandlerFunc)(ctx, this)
      if (isThenable(r)) {
        // The last handler's own promise is the chain's: no async frame and no second promise per request.
        if (r instanceof Promise && this[kIndex] >= handlers.length - 1) return r
        return nextAsync(this, r, ctx)
      }
    }
  }

  /** Stops the remaining handlers from running (the current one carries on). */
  abort (): void {
    this[kIndex] = ABORT_INDEX
  }

  /** True after {@link abort}. */
  isAborted (): boolean {
    return this[kIndex] >= ABORT_INDEX
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
    return this[kHandlers]
  }

  /** The last handler of the chain (the route's own handler). */
  handler (): HandlerFunc | undefined {
    const handlers = this[kHandlers]
    return handlers[handlers.length - 1]
  }

  /** Replaces the chain being run. */
  setHandlers (hc: HandlersChain): void {
    this[kHandlers] = hc
  }

  /** The main handler's name: the one given to `setHandlerName`, else its function name. */
  handlerName (): string {
    return getHandlerName(this.handler())
  }

  /** Position in the chain: -1 before the first handler (Hertz's `GetIndex`). */
  getIndex (): number {
    return this[kIndex]
  }

  /** Moves the chain's cursor: the next `next()` runs handler `index + 1`. */
  setIndex (index: number): void {
    this[kIndex] = index
  }

  /**
   * A snapshot to use after the request is over (from a task that outlives it): the keys, parameters, route, path,
   * query, body and response so far, copied; its chain is empty and aborted. Writing to it reaches no client.
   */
  copy (): RequestContext {
    const cp = new RequestContext(this.engine, this.req, this[kPeekRes](), this[kUpgradeSocket], this.upgradeHead)
    cp[kIndex] = ABORT_INDEX
    cp[kRoute] = this[kRoute]
    cp[kParams] = { ...this[kParams] }
    cp[kPath] = this[kPath]
    cp[kRawQuery] = this[kRawQuery]
    cp[kBody] = this[kBody]
    cp[kFullPath] = this[kFullPath]
    cp[kFormValueFunc] = this[kFormValueFunc]
    cp[kClientIPFunc] = this[kClientIPFunc]
    this.forEachKey((k, v) => { cp.set(k, v) })
    const from = this.response
    const to = cp.response
    to.header.kv = from.header.kv.slice()
    to.header.contentType = from.header.contentType
    to.header.contentLength = from.header.contentLength
    to.setStatusCode(from.statusCode())
    if (from.hasBody() && from.bodyStream === null) to.setBody(from.bodyBytes())
    cp.takeResponse()
    return cp
  }

  /**
   * Answers with the file at `filepath` as Hertz's `ServeFile`: type, length, Last-Modified, 304, byte ranges, gzip
   * for a compressible file when the client takes it, the generated listing for a directory, 404 when missing.
   */
  file (filepath: string): Promise<void> {
    return serveFile(this, filepath)
  }

  /** As {@link file}, with `Content-Disposition: attachment; filename="<filename>"` (a download named `filename`). */
  fileAttachment (filepath: string, filename: string): Promise<void> {
    this.response.header.set('Content-Disposition', `attachment; filename="${filename.replace(/["\\\r\n]/g, '_')}"`)
    return serveFile(this, filepath)
  }

  /**
   * Serves `filepath` with the whole request handler of `fs`, as Hertz's `FileFromFS` and `h.staticFS` do: index
   * names, listings, byte ranges, gzip, `pathRewrite`, `pathNotFound`; never outside `fs.root` (`{ root }` alone is
   * an FS). Meanwhile `c.path()` is `filepath` (decoded and cleaned as a request path), so the rewrite and the
   * not-found handler see it as in Hertz; it is put back once the file is answered, for the handlers after. An `fs`
   * that is not an object rejects with `HERTZ_ERR_BAD_OPTION`.
   */
  async fileFromFS (filepath: string, fs: FS): Promise<void> {
    const handler = fsRequestHandler<RequestContext>(checkFS(fs, 'fileFromFS'))
    const path = this[kPath]
    this[kPath] = normalizePath(filepath.startsWith('/') ? filepath : '/' + filepath)
    try {
      await handler(this, this)
    } finally {
      this[kPath] = path
    }
  }

  // ---- hijack -----------------------------------------------------------------------------------------------

  /**
   * Records `handler` to run with the raw connection once the chain ends and the response head (e.g. a 101) has
   * been written. Only an upgrade request can be hijacked: anything else throws `HERTZ_ERR_NOT_HIJACKABLE`.
   */
  hijack (handler: HijackHandler): void {
    if (typeof handler !== 'function') throw new HertzError(HertzErrorCode.BAD_HANDLER, 'hijack handler must be a function')
    if (this[kUpgradeSocket] === null) {
      throw new HertzError(HertzErrorCode.NOT_HIJACKABLE,
        'only an upgrade request can be hijacked (the server must route \'upgrade\' events to h.handleUpgrade)')
    }
    this[kHijackHandler] = handler
  }

  /** True once {@link hijack} has been called. */
  hijacked (): boolean {
    return this[kHijackHandler] !== null
  }
}
