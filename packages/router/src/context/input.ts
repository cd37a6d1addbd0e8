import { Readable } from 'node:stream'
import { readBody } from '../pipeline/body.js'
import {
  kBody, kCookies, kFullPath, kMultipart, kParams, kPath, kPostArgs, kQueryArgs, kRawQuery, kRoute, kUpgradeSocket
} from '../symbols.js'
import { HertzError, HertzErrorCode } from '../errors.js'
import { Addr } from './addr.js'
import type { Args } from './args.js'
import { ContextCore } from './core.js'
import type { FileHeader } from './file-header.js'
import { cookiesOf, loadMultipart, postArgsOf, postFormValues, queryArgsOf } from './forms.js'
import type { MultipartForm, MultipartState } from './multipart.js'

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
  /** The parsed query, once used. */
    ;[kQueryArgs]: Args | null = null
  /** The parsed urlencoded body, once used. */
    ;[kPostArgs]: Args | null = null
  /** The parsed cookies, once used. */
    ;[kCookies]: Record<string, string | undefined> | null = null
  /** The multipart form state, once a multipart body is parsed. */
    ;[kMultipart]: MultipartState | null = null
  /** The pattern set by `setFullPath`, null for the matched route's. */
    ;[kFullPath]: string | null = null

  /** The value of path parameter `key` ('' when absent). A catch-all value has no leading slash. */
  param (key: string): string {
    return this[kParams][key] ?? ''
  }

  /** Query value of `key`, '' when absent. */
  query (key: string): string {
    if (this[kRawQuery] === '') return ''
    return queryArgsOf(this).get(key) ?? ''
  }

  /** Query value of `key`, or `defaultValue` when absent. */
  defaultQuery (key: string, defaultValue: string): string {
    return this.getQuery(key) ?? defaultValue
  }

  /** Query value of `key`, or undefined when absent (Go's `(value, ok)`). */
  getQuery (key: string): string | undefined {
    if (this[kRawQuery] === '') return undefined
    return queryArgsOf(this).get(key) ?? undefined
  }

  /** All query values (Hertz's `QueryArgs`: an `Args`, which is a `URLSearchParams`; parsed once, on first use). */
  queryArgs (): Args {
    return queryArgsOf(this)
  }

  /** The arguments of an urlencoded body (Hertz's `PostArgs`; empty for other bodies). */
  postArgs (): Args {
    return postArgsOf(this)
  }

  /** Calls `fn(key, value)` for every query argument, in order. */
  visitAllQueryArgs (fn: (key: string, value: string) => void): void {
    queryArgsOf(this).visitAll(fn)
  }

  /** Calls `fn(key, value)` for every argument of an urlencoded body, in order. */
  visitAllPostArgs (fn: (key: string, value: string) => void): void {
    postArgsOf(this).visitAll(fn)
  }

  /** Calls `fn(key, value)` for every request header, names in canonical form (`X-Real-Ip`). */
  visitAllHeaders (fn: (key: string, value: string) => void): void {
    this.request.header.visitAll(fn)
  }

  /** Calls `fn(name, value)` for every request cookie. */
  visitAllCookie (fn: (key: string, value: string) => void): void {
    for (const [k, v] of Object.entries(cookiesOf(this))) fn(k, v as string)
  }

  /**
   * Value of `key` in an urlencoded body, else in a multipart form; '' when absent. A buffered multipart body is
   * parsed before the chain runs; with `withStreamBody`, `await c.multipartForm()` first.
   */
  postForm (key: string): string {
    return postFormValues(this, key)?.[0] ?? ''
  }

  /** As {@link postForm}, but undefined when absent (Go's `(value, ok)`). */
  getPostForm (key: string): string | undefined {
    return postFormValues(this, key)?.[0]
  }

  /** As {@link postForm}, or `defaultValue` when absent. */
  defaultPostForm (key: string, defaultValue: string): string {
    return postFormValues(this, key)?.[0] ?? defaultValue
  }

  /** Every value of `key` in an urlencoded body, else in a multipart form; `[]` when absent. */
  postFormArray (key: string): string[] {
    return postFormValues(this, key) ?? []
  }

  /** As {@link postFormArray}, but undefined when absent. */
  getPostFormArray (key: string): string[] | undefined {
    return postFormValues(this, key)
  }

  /**
   * The multipart form (Go's `MultipartForm`), parsed once. Rejects with `HERTZ_ERR_NOT_MULTIPART`,
   * `HERTZ_ERR_BAD_MULTIPART` or `HERTZ_ERR_MULTIPART_LIMIT` (answered 400 if not caught), or
   * `HERTZ_ERR_BODY_TOO_LARGE` (413). Temporary files are removed when the request ends.
   */
  multipartForm (): Promise<MultipartForm> {
    return loadMultipart(this)
  }

  /** The first file of the form field `name`; rejects with `HERTZ_ERR_MISSING_FILE` when there is none. */
  async formFile (name: string): Promise<FileHeader> {
    const f = (await loadMultipart(this)).file[name]?.[0]
    if (f === undefined) throw new HertzError(HertzErrorCode.MISSING_FILE, `no such file: ${name}`)
    return f
  }

  /** Writes an uploaded file to `dst` (created or truncated). */
  saveUploadedFile (file: FileHeader, dst: string): Promise<void> {
    return file.saveTo(dst)
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

  /** True for a GET request. */
  isGet (): boolean {
    return this.req.method === 'GET'
  }

  /** True for a POST request. */
  isPost (): boolean {
    return this.req.method === 'POST'
  }

  /** True for a HEAD request. */
  isHead (): boolean {
    return this.req.method === 'HEAD'
  }

  /** The request's Content-Type ('' when absent). */
  contentType (): string {
    return this.req.headers['content-type'] ?? ''
  }

  /** The request's User-Agent ('' when absent). */
  userAgent (): string {
    return this.req.headers['user-agent'] ?? ''
  }

  /** The matched route pattern (`/user/:id`), '' when no route matched; or what `setFullPath` set. */
  fullPath (): string {
    if (this[kFullPath] !== null) return this[kFullPath]
    return this[kRoute] === null ? '' : this[kRoute].fullPath
  }

  /** Overrides what {@link fullPath} returns for this request. */
  setFullPath (p: string): void {
    this[kFullPath] = p
  }

  /** The peer address. */
  remoteAddr (): Addr {
    return Addr.remote(this.req.socket)
  }

  /** Request header `key`, '' when absent. */
  getHeader (key: string): string {
    return this.request.header.peek(key)
  }

  /** Value of request cookie `name` as sent (surrounding double quotes removed, no decoding), '' when absent. */
  cookie (name: string): string {
    return cookiesOf(this)[name] ?? ''
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
