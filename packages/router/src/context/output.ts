import type { Readable } from 'node:stream'
import { chunkLength, type Chunk } from './response.js'
import { sprintf } from './sprintf.js'
import { hexEscapeNonASCII } from '../routing/path.js'
import { startStream, waitDrain, bodyAllowedForStatus, PLAIN } from '../pipeline/write.js'
import { HertzError, HertzErrorCode } from '../errors.js'
import { kHTMLRender, kStreaming } from '../symbols.js'
import { ContextInput } from './input.js'
import { queryEscape, type CookieSameSite } from './cookies.js'

const JSON_TYPE = 'application/json; charset=utf-8'
const HTML_TYPE = 'text/html; charset=utf-8'

function render (c: ContextOutput, code: number, contentType: string, body: Chunk): void {
  c.response.setStatusCode(code)
  c.response.header.contentType = contentType
  if (bodyAllowedForStatus(code)) c.write(body)
}

/**
 * Output of a request context: status, headers and body, buffered in `c.response` and written when the chain
 * ends, or streamed once `flush()` was called.
 */
export class ContextOutput extends ContextInput {
  /** Sets the response status code. */
  setStatusCode (code: number): void {
    this.response.setStatusCode(code)
  }

  /** Sets the response status code (Hertz's `Status`). */
  status (code: number): void {
    this.response.setStatusCode(code)
  }

  /** Clears the response and answers `304 Not Modified`. */
  notModified (): void {
    this.response.reset()
    this.response.setStatusCode(304)
  }

  /**
   * Adds a Set-Cookie header as Hertz's `SetCookie`: the value query-escaped, `path` '' meaning `/`, `maxAge` in
   * seconds (0 leaves it out, negative deletes), `sameSite` one of the `CookieSameSite...` constants. Throws
   * `HERTZ_ERR_BAD_COOKIE` for a name, path or domain a header cannot carry. For `Expires` or anything else use
   * `c.response.header.setCookie(cookie)`.
   */
  setCookie (name: string, value: string, maxAge: number, path: string, domain: string, sameSite: CookieSameSite,
    secure: boolean, httpOnly: boolean): void {
    this.response.header.setCookie({ key: name, value: queryEscape(value), maxAge, path: path || '/', domain, sameSite, secure, httpOnly })
  }

  /** As {@link setCookie}, with the `Partitioned` attribute (CHIPS; use `CookieSameSiteNoneMode` and `secure`). */
  setPartitionedCookie (name: string, value: string, maxAge: number, path: string, domain: string,
    sameSite: CookieSameSite, secure: boolean, httpOnly: boolean): void {
    this.response.header.setCookie({
      key: name, value: queryEscape(value), maxAge, path: path || '/', domain, sameSite, secure, httpOnly, partitioned: true
    })
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

  /** Appends `format` (with Go-style `%v %s %d ...` filled from `values`) as text/plain. */
  string (code: number, format: string, ...values: unknown[]): void {
    render(this, code, PLAIN, values.length === 0 ? format : sprintf(format, values))
  }

  /** Appends `obj` serialized as JSON. */
  json (code: number, obj: unknown): void {
    render(this, code, JSON_TYPE, JSON.stringify(obj) ?? 'null')
  }

  /** Appends `obj` as JSON indented by four spaces (Hertz's `IndentedJSON`). */
  indentedJSON (code: number, obj: unknown): void {
    render(this, code, JSON_TYPE, JSON.stringify(obj, null, 4) ?? 'null')
  }

  /** Appends `obj` as JSON followed by a newline, HTML characters left as they are (Hertz's `PureJSON`). */
  pureJSON (code: number, obj: unknown): void {
    render(this, code, JSON_TYPE, (JSON.stringify(obj) ?? 'null') + '\n')
  }

  /** Appends raw bytes with the given Content-Type. */
  data (code: number, contentType: string, data: Chunk): void {
    render(this, code, contentType, data)
  }

  /**
   * Renders the loaded template `name` with `data` as text/html (Hertz's `c.HTML(code, name, obj)`; templates come
   * from `h.loadHTMLGlob` / `h.loadHTMLFiles`, outputs are HTML-escaped). With two arguments and no template of
   * that name, `name` is sent as the HTML itself. A template that is not loaded throws
   * `HERTZ_ERR_TEMPLATE_NOT_FOUND`, a failing render its error: both end as a 500 under recovery, as Go's panic.
   */
  html (code: number, name: string, data?: unknown): void {
    const templates = this.engine[kHTMLRender]
    if (templates !== null && templates.has(name)) {
      render(this, code, HTML_TYPE, templates.render(name, data))
    } else if (arguments.length >= 3) {
      throw new HertzError(HertzErrorCode.TEMPLATE_NOT_FOUND, templates === null
        ? `html/template: no templates loaded (h.loadHTMLGlob / h.loadHTMLFiles) to render "${name}"`
        : `html/template: "${name}" is undefined`)
    } else {
      render(this, code, HTML_TYPE, name)
    }
  }

  /**
   * Sets `Location` and the status (a non-redirect code becomes 302, as in Hertz). Does not abort. Non-ASCII
   * characters of `location` are percent-escaped as UTF-8 bytes (as Go's `http.Redirect`); a CR or LF in it makes
   * the answer a 500 when it is written.
   */
  redirect (statusCode: number, location: string): void {
    const ok = statusCode === 301 || statusCode === 302 || statusCode === 303 || statusCode === 307 || statusCode === 308
    this.response.header.set('Location', hexEscapeNonASCII(location))
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
    const n = chunkLength(chunk)
    if (this[kStreaming]) {
      this.res.write(chunk)
      this.response.setBytesSent(this.response.bytesSent() + n)
    } else {
      this.response.appendSized(chunk, n)
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

  /**
   * Switches to streaming: the head goes out now (chunked unless a Content-Length was set), buffered bytes
   * follow, and later writes go straight to the client. Resolves once the socket has drained.
   */
  flush (): Promise<void> {
    if (!this[kStreaming]) startStream(this)
    return waitDrain(this)
  }
}
