import { Readable } from 'node:stream'
import { readBody } from '../pipeline/body.js'
import { kBody, kClientIP, kParams, kPath, kRawQuery, kRoute, kUpgradeSocket } from '../symbols.js'
import { Addr } from './addr.js'
import { ContextCore } from './core.js'

/** Parameter values of a match, keyed by name; a catch-all value sits under `*`. */
export type Params = Record<string, string | undefined>

/** The parameters of a request that matched no route. */
export const NO_PARAMS: Params = Object.freeze({}) as Params

/** What the context reads of the route that matched (a `RouteEntry`). */
export interface MatchedRoute {
  /** The pattern as registered, e.g. `/user/:id`. */
  readonly fullPath: string
  /** Name of the catch-all parameter, or null. */
  readonly wildcard: string | null
}

/**
 * Input of a request context: path parameters, query and form values, request line and headers, the body.
 * Missing values are '' (as in Go); the `get...` forms return undefined instead (Go's `(value, ok)`).
 */
export class ContextInput extends ContextCore {
  /** The matched route, null when none matched. */
  [kRoute]: MatchedRoute | null = null
  /** Path parameter values of the match. */
  ;[kParams]: Params = NO_PARAMS
  /** The decoded, normalized path. */
  ;[kPath] = '/'
  /** The raw query string (after `?`), '' when none. */
  ;[kRawQuery] = ''
  #queryArgs: URLSearchParams | null = null
  #postArgs: URLSearchParams | null = null

  #queries (): URLSearchParams {
    if (this.#queryArgs === null) this.#queryArgs = new URLSearchParams(this[kRawQuery])
    return this.#queryArgs
  }

  #forms (): URLSearchParams {
    if (this.#postArgs === null) {
      const ct = this.req.headers['content-type'] ?? ''
      const body = this[kBody]
      const form = body !== null && ct.toLowerCase().startsWith('application/x-www-form-urlencoded')
      this.#postArgs = new URLSearchParams(form ? body.toString() : '')
    }
    return this.#postArgs
  }

  /** The value of path parameter `key` ('' when absent). A catch-all value has no leading slash. */
  param (key: string): string {
    return this[kParams][key] ?? ''
  }

  /** Query value of `key`, '' when absent. */
  query (key: string): string {
    if (this[kRawQuery] === '') return ''
    return this.#queries().get(key) ?? ''
  }

  /** Query value of `key`, or `defaultValue` when absent. */
  defaultQuery (key: string, defaultValue: string): string {
    return this.getQuery(key) ?? defaultValue
  }

  /** Query value of `key`, or undefined when absent (Go's `(value, ok)`). */
  getQuery (key: string): string | undefined {
    if (this[kRawQuery] === '') return undefined
    return this.#queries().get(key) ?? undefined
  }

  /** All query values (Hertz's `QueryArgs`; parsed once, on first use). */
  queryArgs (): URLSearchParams {
    return this.#queries()
  }

  /** Value of `key` in an urlencoded request body, '' when absent (the body must have been read). */
  postForm (key: string): string {
    return this.#forms().get(key) ?? ''
  }

  /** Value of `key` in an urlencoded body, or undefined when absent. */
  getPostForm (key: string): string | undefined {
    return this.#forms().get(key) ?? undefined
  }

  /** Value of `key` from the query, else from the urlencoded body; '' when absent. */
  formValue (key: string): string {
    return this.getQuery(key) ?? this.#forms().get(key) ?? ''
  }

  /** The Host header ('' when absent). */
  host (): string {
    return this.req.headers.host ?? ''
  }

  /** The decoded, normalized request path. */
  path (): string {
    return this[kPath]
  }

  /** The request method. */
  method (): string {
    return this.req.method as string
  }

  /** The matched route pattern (`/user/:id`), '' when no route matched. */
  fullPath (): string {
    return this[kRoute] === null ? '' : this[kRoute].fullPath
  }

  /** The client IP: through `h.setClientIPFunc`, by default X-Forwarded-For, X-Real-IP, then the peer. */
  clientIP (): string {
    return this.engine[kClientIP](this)
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
    const buffered = this[kBody]
    if (buffered !== null) return buffered
    if (this[kUpgradeSocket] !== null) return (this[kBody] = Buffer.alloc(0))
    const body = await readBody(this.req, this.engine.options.maxRequestBodySize)
    this[kBody] = body
    return body
  }

  /**
   * The request body once read (Hertz's `GetRawData`): the buffered body, or null while a streamed body
   * (`withStreamBody`) has not been read yet (`await c.body()` reads it).
   */
  getRawData (): Buffer | null {
    return this[kBody]
  }

  /** The request body as a stream: the Node request itself while unread, else a stream over the buffered bytes. */
  requestBodyStream (): Readable {
    const body = this[kBody]
    return body === null ? this.req : Readable.from([body])
  }
}
