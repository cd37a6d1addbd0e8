import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { Context } from '../go-context.js'
import type { EngineRef } from '../server/engine-ref.js'
import { kAbortSignal, kBody, kFinished, kPeekRes, kStreaming, kUnwatch, kUpgradeSocket } from '../symbols.js'
import { Response } from './response.js'
import { Request } from './request.js'
import { watchAbort } from './client-watch.js'
import {
  asFloat32, asInt, asStringMap, asStringMapString, asStringMapStringSlice, asStringSlice
} from './typed-keys.js'

/**
 * The state every part of a request context shares (its Node request and response, the buffered answer, the
 * engine), raw access to Node, the {@link Context} it also is, and its per-request keys. {@link RequestContext}
 * builds on it: ContextInput (the request), ContextOutput (the response), then the chain and hijack.
 */
export class ContextCore implements Context {
  /** The original Node request (`url` is the original path and query). */
  readonly req: IncomingMessage
  /** Bytes read past the headers of an upgrade request, null for a plain request. */
  readonly upgradeHead: Buffer | null
  /** The buffered response, written when the chain ends. */
  readonly response = new Response()
  /** The engine serving this request (`c.engine.isClosing()`, `c.engine.logger`, `c.engine.options`). */
  readonly engine: EngineRef
  /** The socket of an upgrade request, null otherwise. */
  readonly [kUpgradeSocket]: Socket | null
  /** The request body once read. */
    ;[kBody]: Buffer | null = null
  /** True once `flush()` switched the response to streaming. */
    ;[kStreaming] = false
  /** True once the chain has ended and the response was handed to the engine. */
    ;[kFinished] = false
  /** Stops watching the client for `signal`, while it is watched. */
    ;[kUnwatch]: (() => void) | null = null

  #res: ServerResponse | null
  #request: Request | null = null
  #keys: Map<string, unknown> | null = null
  #abortController: AbortController | null = null
  #taken = false

  /**
   * Built by the engine for each request.
   *
   * @param engine - the engine serving it
   * @param req - the Node request
   * @param res - the Node response; null for an upgrade request (one bound to `socket` is made on first use)
   * @param socket - the socket of an upgrade request, else null
   * @param head - the bytes read past the head of an upgrade request, else null
   */
  constructor (engine: EngineRef, req: IncomingMessage, res: ServerResponse | null, socket: Socket | null, head: Buffer | null) {
    this.engine = engine
    this.req = req
    this.#res = res
    this[kUpgradeSocket] = socket
    this.upgradeHead = head
  }

  // ---- raw access -------------------------------------------------------------------------------------------

  /**
   * The Node response. For an upgrade request it is a `ServerResponse` bound to the upgrade socket, created on
   * first access; a normal response written to it reaches the client.
   */
  get res (): ServerResponse {
    let res = this.#res
    if (res === null) {
      res = new ServerResponse(this.req)
      res.assignSocket(this[kUpgradeSocket] as Socket)
      // The socket is closed after this response, so say so.
      res.shouldKeepAlive = false
      this.#res = res
    }
    return res
  }

  /** The response if it exists yet, without creating one. */
  [kPeekRes] (): ServerResponse | null {
    return this.#res
  }

  /** True for a request that arrived through the server's `'upgrade'` event. */
  isUpgrade (): boolean {
    return this[kUpgradeSocket] !== null
  }

  /** The caller owns `c.res` (and, for an upgrade request, the socket) from now on; the router writes nothing more. */
  takeResponse (): void {
    this.#taken = true
  }

  /** True after {@link takeResponse}. */
  isResponseTaken (): boolean {
    return this.#taken
  }

  /** The request view: headers and buffered body. */
  get request (): Request {
    if (this.#request === null) this.#request = new Request(this.req, this)
    return this.#request
  }

  // ---- Context ----------------------------------------------------------------------------------------------

  /** Aborted when the client goes away, on `h.close()`, or when graceful shutdown runs out of time. Lazy. */
  get signal (): AbortSignal {
    if (this.#abortController === null) {
      this.#abortController = new AbortController()
      watchAbort(this)
    }
    return this.#abortController.signal
  }

  /** Aborts the signal if one was created. */
  [kAbortSignal] (reason: unknown): void {
    const ac = this.#abortController
    if (ac !== null && !ac.signal.aborted) ac.abort(reason)
  }

  /** The per-request value stored with `set(key)` (string keys), as Go's `ctx.Value`. */
  value (key: unknown): unknown {
    return typeof key === 'string' && this.#keys !== null ? this.#keys.get(key) : undefined
  }

  // ---- per-request keys -------------------------------------------------------------------------------------

  /** Stores a per-request value. */
  set (key: string, value: unknown): void {
    if (this.#keys === null) this.#keys = new Map()
    this.#keys.set(key, value)
  }

  /** The value stored under `key`, or undefined. */
  get (key: string): unknown {
    return this.#keys === null ? undefined : this.#keys.get(key)
  }

  /** The value stored under `key`; throws `HERTZ_ERR_KEY_NOT_FOUND` when there is none. */
  mustGet (key: string): unknown {
    if (this.#keys !== null && this.#keys.has(key)) return this.#keys.get(key)
    throw new HertzError(HertzErrorCode.KEY_NOT_FOUND, `Key "${key}" does not exist`)
  }

  /** Calls `fn(key, value)` for every stored value. */
  forEachKey (fn: (key: string, value: unknown) => void): void {
    if (this.#keys !== null) for (const [k, v] of this.#keys) fn(k, v)
  }

  // ---- typed key getters: the value when it has the type, else its zero value (as Hertz's GetString & co.) ------

  /** The string under `key`, else ''. */
  getString (key: string): string {
    const v = this.get(key)
    return typeof v === 'string' ? v : ''
  }

  /** The boolean under `key`, else false. */
  getBool (key: string): boolean {
    return this.get(key) === true
  }

  /** The integer under `key`, else 0. */
  getInt (key: string): number { return asInt(this.get(key), 'int') }
  /** The int32 under `key`, else 0. */
  getInt32 (key: string): number { return asInt(this.get(key), 'int32') }
  /** The int64 under `key` (a safe integer or a bigint that fits), else 0. */
  getInt64 (key: string): number { return asInt(this.get(key), 'int64') }
  /** The non-negative integer under `key`, else 0. */
  getUint (key: string): number { return asInt(this.get(key), 'uint') }
  /** The uint32 under `key`, else 0. */
  getUint32 (key: string): number { return asInt(this.get(key), 'uint32') }
  /** The uint64 under `key` (a safe integer or a bigint that fits), else 0. */
  getUint64 (key: string): number { return asInt(this.get(key), 'uint64') }
  /** The number under `key` at single precision, else 0. */
  getFloat32 (key: string): number { return asFloat32(this.get(key)) }

  /** The number under `key`, else 0. */
  getFloat64 (key: string): number {
    const v = this.get(key)
    return typeof v === 'number' ? v : 0
  }

  /** The Date under `key`, else undefined (Go's zero `time.Time`). */
  getTime (key: string): Date | undefined {
    const v = this.get(key)
    return v instanceof Date ? v : undefined
  }

  /** The duration (a number of milliseconds) under `key`, else 0. */
  getDuration (key: string): number {
    return this.getFloat64(key)
  }

  /** The string array under `key`, else `[]`. */
  getStringSlice (key: string): string[] { return asStringSlice(this.get(key)) }
  /** The object under `key`, else `{}`. */
  getStringMap (key: string): Record<string, unknown> { return asStringMap(this.get(key)) }
  /** The object of strings under `key`, else `{}`. */
  getStringMapString (key: string): Record<string, string> { return asStringMapString(this.get(key)) }
  /** The object of string arrays under `key`, else `{}`. */
  getStringMapStringSlice (key: string): Record<string, string[]> { return asStringMapStringSlice(this.get(key)) }
}
