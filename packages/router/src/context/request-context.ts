import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { HertzError, ErrorCodes } from '../errors.js'
import { Response } from './response.js'
import { Request, type BodyHolder } from './request.js'
import { NO_PARAMS, type Params, type RouteEntry } from '../routing/table.js'
import { watchAbort } from './client-watch.js'
import { ContextFlow } from './flow.js'
import { ContextOutput } from './output.js'
import { ContextInput } from './input.js'
import type { Context, HandlersChain } from '../types.js'
import type { HijackHandler } from '../hijack/hijack-conn.js'
import type { Engine } from '../server/engine.js'

const NO_HANDLERS: HandlersChain = []

/**
 * The per-request context handed to every handler (Hertz's `app.RequestContext`). It also implements
 * {@link Context}: the `ctx` a chain starts with is the request context itself, so no second object is made.
 *
 * This file holds its state, raw access, per-request keys and hijack; its methods by concern live in
 * context-flow.ts (the chain), context-output.ts (the response) and context-input.ts (the request), and are
 * installed on this class's prototype below.
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
  /** @internal the chain being run (shared empty until a chain is installed: no array per request). */
  handlers_: HandlersChain = NO_HANDLERS
  /** @internal position in the chain. */
  index_ = -1
  /** @internal the matched route, null when none matched. */
  route_: RouteEntry | null = null
  /** @internal path parameter values of the match. */
  params_: Params = NO_PARAMS
  /** @internal decoded, normalized path. */
  path_ = '/'
  /** @internal raw query string (after `?`), '' when none. */
  rawQuery = ''
  /** @internal parsed query, on first use. */
  queryArgs_: URLSearchParams | null = null
  /** @internal parsed urlencoded body, on first use. */
  postArgs_: URLSearchParams | null = null
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

  /** @internal installs the chain and the match. */
  setHandlers (handlers: HandlersChain, route: RouteEntry | null, params: Params): void {
    this.handlers_ = handlers
    this.route_ = route
    this.params_ = params
  }

  // ---- Context ----------------------------------------------------------------------------------------------

  /** Aborted when the client goes away, on `h.close()`, or when graceful shutdown runs out of time. Lazy. */
  get signal (): AbortSignal {
    if (this.abortController === null) {
      this.abortController = new AbortController()
      watchAbort(this.engine, this)
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

  // ---- per-request keys -------------------------------------------------------------------------------------

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

// The method groups become methods of RequestContext itself (no wrapper objects, no extra call per use). The
// interface declares exactly the groups whose prototypes are copied here.
export interface RequestContext extends ContextFlow, ContextOutput, ContextInput {}

for (const group of [ContextFlow, ContextOutput, ContextInput]) {
  for (const name of Object.getOwnPropertyNames(group.prototype)) {
    if (name === 'constructor') continue
    if (Object.prototype.hasOwnProperty.call(RequestContext.prototype, name)) {
      throw new Error(`RequestContext.${name} is defined twice`)
    }
    Object.defineProperty(RequestContext.prototype, name, Object.getOwnPropertyDescriptor(group.prototype, name) as PropertyDescriptor)
  }
}
