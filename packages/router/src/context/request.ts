import type { IncomingMessage } from 'node:http'
import { parseContentLength } from '../pipeline/body.js'
import { kBody } from '../symbols.js'

/**
 * A header name as Hertz normalizes it: upper case at the start and after each `-`, lower case elsewhere
 * (`content-TYPE` → `Content-Type`).
 */
export function canonicalHeaderKey (name: string): string {
  let out = ''
  let upper = true
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string
    out += upper ? ch.toUpperCase() : ch.toLowerCase()
    upper = ch === '-'
  }
  return out
}

/** Read-only, case-insensitive view of the request headers (Hertz's `protocol.RequestHeader`). */
export class RequestHeader {
  readonly #req: IncomingMessage

  /** @param req - the Node request whose headers this view reads */
  constructor (req: IncomingMessage) {
    this.#req = req
  }

  /** The value of `key`, or '' when absent. Repeated headers come joined as node:http joins them. */
  peek (key: string): string {
    const v = this.#req.headers[key.toLowerCase()]
    if (v === undefined) return ''
    return typeof v === 'string' ? v : v.join(', ')
  }

  /** Same as {@link peek} (Go's `Header.Get`). */
  get (key: string): string {
    return this.peek(key)
  }

  /** True when the request carries `key`. */
  has (key: string): boolean {
    return this.#req.headers[key.toLowerCase()] !== undefined
  }

  /**
   * Calls `fn(key, value)` for every header line, in arrival order, with the names in Hertz's canonical form
   * (`x-real-ip` is visited as `X-Real-Ip`), as Hertz's `VisitAll`.
   */
  visitAll (fn: (key: string, value: string) => void): void {
    const raw = this.#req.rawHeaders
    for (let i = 0; i < raw.length; i += 2) fn(canonicalHeaderKey(raw[i] as string), raw[i + 1] as string)
  }

  /** {@link visitAll} with a `Map.forEach`-style callback, `fn(value, key)`. */
  forEach (fn: (value: string, key: string) => void): void {
    const raw = this.#req.rawHeaders
    for (let i = 0; i < raw.length; i += 2) fn(raw[i + 1] as string, canonicalHeaderKey(raw[i] as string))
  }

  /** The request method. */
  method (): string {
    return this.#req.method ?? 'GET'
  }

  /** The declared Content-Length, or -1. */
  contentLength (): number {
    return parseContentLength(this.#req.headers['content-length'])
  }

  /** True for HTTP/1.1 (and later). */
  isHTTP11 (): boolean {
    return this.#req.httpVersionMajor > 1 || (this.#req.httpVersionMajor === 1 && this.#req.httpVersionMinor >= 1)
  }
}

/** Holder of a request's buffered body (the request context), shared by the engine and the request view. */
export interface BodyHolder {
  readonly [kBody]: Buffer | null
}

/** View of the request (Hertz's `c.Request`): headers and, once read, the body. */
export class Request {
  /** Request headers. */
  readonly header: RequestHeader
  readonly #req: IncomingMessage
  readonly #holder: BodyHolder

  /**
   * @param req - the Node request
   * @param holder - where the body is kept once read
   */
  constructor (req: IncomingMessage, holder: BodyHolder) {
    this.#req = req
    this.header = new RequestHeader(req)
    this.#holder = holder
  }

  /** The body if the router has already read it, or null while the body stream is still unread. */
  bufferedBody (): Buffer | null {
    return this.#holder[kBody]
  }

  /** The request target as received (path and query, still encoded). */
  requestURI (): string {
    return this.#req.url ?? '/'
  }

  /** The request method. */
  method (): string {
    return this.#req.method ?? 'GET'
  }

  /** The Host header, or ''. */
  host (): string {
    return this.#req.headers.host ?? ''
  }
}
