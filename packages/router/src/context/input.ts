import { Readable } from 'node:stream'
import { readBody } from '../pipeline/body.js'
import { Addr } from './addr.js'
import type { RequestContext } from './request-context.js'

function queries (c: RequestContext): URLSearchParams {
  if (c.queryArgs_ === null) c.queryArgs_ = new URLSearchParams(c.rawQuery)
  return c.queryArgs_
}

function forms (c: RequestContext): URLSearchParams {
  if (c.postArgs_ === null) {
    const ct = c.req.headers['content-type'] ?? ''
    const form = c.body_ !== null && ct.toLowerCase().startsWith('application/x-www-form-urlencoded')
    c.postArgs_ = new URLSearchParams(form ? (c.body_ as Buffer).toString() : '')
  }
  return c.postArgs_
}

/**
 * Input of a {@link RequestContext}: path parameters, query and form values, request line and headers, the body.
 * Missing values are '' (as in Go); the `get...` forms return undefined instead (Go's `(value, ok)`).
 */
export class ContextInput {
  /** The value of path parameter `key` ('' when absent). A catch-all value has no leading slash. */
  param (this: RequestContext, key: string): string {
    const v = this.params_[key]
    if (v !== undefined) return v
    if (this.route_ !== null && key === this.route_.wildcard) return this.params_['*'] ?? ''
    return ''
  }

  /** Query value of `key`, '' when absent. */
  query (this: RequestContext, key: string): string {
    if (this.rawQuery === '') return ''
    return queries(this).get(key) ?? ''
  }

  /** Query value of `key`, or `defaultValue` when absent. */
  defaultQuery (this: RequestContext, key: string, defaultValue: string): string {
    return this.getQuery(key) ?? defaultValue
  }

  /** Query value of `key`, or undefined when absent (Go's `(value, ok)`). */
  getQuery (this: RequestContext, key: string): string | undefined {
    if (this.rawQuery === '') return undefined
    return queries(this).get(key) ?? undefined
  }

  /** All query values (Hertz's `QueryArgs`; parsed once, on first use). */
  queryArgs (this: RequestContext): URLSearchParams {
    return queries(this)
  }

  /** Value of `key` in an urlencoded request body, '' when absent (the body must have been read). */
  postForm (this: RequestContext, key: string): string {
    return forms(this).get(key) ?? ''
  }

  /** Value of `key` in an urlencoded body, or undefined when absent. */
  getPostForm (this: RequestContext, key: string): string | undefined {
    return forms(this).get(key) ?? undefined
  }

  /** Value of `key` from the query, else from the urlencoded body; '' when absent. */
  formValue (this: RequestContext, key: string): string {
    return this.getQuery(key) ?? forms(this).get(key) ?? ''
  }

  /** The Host header ('' when absent). */
  host (this: RequestContext): string {
    return this.req.headers.host ?? ''
  }

  /** The decoded, normalized request path. */
  path (this: RequestContext): string {
    return this.path_
  }

  /** The request method. */
  method (this: RequestContext): string {
    return this.req.method as string
  }

  /** The matched route pattern (`/user/:id`), '' when no route matched. */
  fullPath (this: RequestContext): string {
    return this.route_ === null ? '' : this.route_.fullPath
  }

  /** The client IP: through `h.setClientIPFunc`, by default X-Forwarded-For, X-Real-IP, then the peer. */
  clientIP (this: RequestContext): string {
    return this.engine.clientIP(this)
  }

  /** The peer address. */
  remoteAddr (this: RequestContext): Addr {
    return Addr.remote(this.req.socket)
  }

  /** Request header `key`, '' when absent. */
  getHeader (this: RequestContext, key: string): string {
    return this.request.header.peek(key)
  }

  /** Value of cookie `name`, '' when absent. */
  cookie (this: RequestContext, name: string): string {
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
  async body (this: RequestContext): Promise<Buffer> {
    if (this.body_ !== null) return this.body_
    if (this.upgradeSocket !== null) return (this.body_ = Buffer.alloc(0))
    this.body_ = await readBody(this.req, this.engine.options.maxRequestBodySize)
    return this.body_
  }

  /**
   * The request body once read (Hertz's `GetRawData`): the buffered body, or null while a streamed body
   * (`withStreamBody`) has not been read yet (`await c.body()` reads it).
   */
  getRawData (this: RequestContext): Buffer | null {
    return this.body_
  }

  /** The request body as a stream: the Node request itself while unread, else a stream over the buffered bytes. */
  requestBodyStream (this: RequestContext): Readable {
    return this.body_ === null ? this.req : Readable.from([this.body_])
  }
}
