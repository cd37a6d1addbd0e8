import type { Readable } from 'node:stream'
import { parseContentLength } from '../pipeline/body.js'
import { formatSetCookie, type Cookie } from './cookies.js'

/** A body chunk as the context accepts it. */
export type Chunk = string | Uint8Array

/** Size of a chunk in bytes. */
export function chunkLength (c: Chunk): number {
  return typeof c === 'string' ? Buffer.byteLength(c) : c.byteLength
}

function toBuffer (c: Chunk): Buffer {
  return typeof c === 'string' ? Buffer.from(c) : Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength)
}

/**
 * Response headers, case-insensitive, kept as a flat `[name, value, name, value, ...]` list so the engine can
 * hand them to `res.writeHead` in one call without building an object. `Content-Type` and `Content-Length`
 * live in fields of their own: the engine writes them last, from what the body really is.
 */
export class ResponseHeader {
  /** Flat list of every header except Content-Type / Content-Length. */
  kv: string[] = []
  /** Content-Type, or '' when unset. */
  contentType = ''
  /** Content-Length given by the application (used only for streamed bodies), or -1. */
  contentLength = -1

  /** Sets `key` to `value`, replacing every earlier value of it. */
  set (key: string, value: string): void {
    const lower = key.toLowerCase()
    if (lower === 'content-type') { this.contentType = String(value); return }
    if (lower === 'content-length') { this.contentLength = parseContentLength(value); return }
    const kv = this.kv
    let found = false
    for (let i = 0; i < kv.length; i += 2) {
      if ((kv[i] as string).toLowerCase() !== lower) continue
      if (!found) {
        kv[i + 1] = String(value)
        found = true
      } else {
        kv.splice(i, 2)
        i -= 2
      }
    }
    if (!found) kv.push(key, String(value))
  }

  /** Adds one more value for `key` (for headers such as `Set-Cookie` that repeat). */
  add (key: string, value: string): void {
    const lower = key.toLowerCase()
    if (lower === 'content-type' || lower === 'content-length') { this.set(key, value); return }
    this.kv.push(key, String(value))
  }

  /**
   * Adds a Set-Cookie line for `cookie`, replacing an earlier one of the same name (Hertz's `SetCookie`). Throws
   * `HERTZ_ERR_BAD_COOKIE` for a value, path or domain a header cannot carry.
   */
  setCookie (cookie: Cookie): void {
    const line = formatSetCookie(cookie)
    const prefix = cookie.key === '' ? null : cookie.key + '='
    const kv = this.kv
    for (let i = 0; i < kv.length; i += 2) {
      if ((kv[i] as string).toLowerCase() === 'set-cookie' && prefix !== null && (kv[i + 1] as string).startsWith(prefix)) {
        kv[i + 1] = line
        return
      }
    }
    kv.push('Set-Cookie', line)
  }

  /** The first value of `key`, or '' when it is not set (Go's `Header.Get`). */
  get (key: string): string {
    const lower = key.toLowerCase()
    if (lower === 'content-type') return this.contentType
    if (lower === 'content-length') return this.contentLength >= 0 ? String(this.contentLength) : ''
    const kv = this.kv
    for (let i = 0; i < kv.length; i += 2) {
      if ((kv[i] as string).toLowerCase() === lower) return kv[i + 1] as string
    }
    return ''
  }

  /** Same as {@link get} (Hertz's `Peek`). */
  peek (key: string): string {
    return this.get(key)
  }

  /** True when `key` has a value. */
  has (key: string): boolean {
    const lower = key.toLowerCase()
    if (lower === 'content-type') return this.contentType !== ''
    if (lower === 'content-length') return this.contentLength >= 0
    const kv = this.kv
    for (let i = 0; i < kv.length; i += 2) if ((kv[i] as string).toLowerCase() === lower) return true
    return false
  }

  /** Removes every value of `key`. */
  del (key: string): void {
    const lower = key.toLowerCase()
    if (lower === 'content-type') { this.contentType = ''; return }
    if (lower === 'content-length') { this.contentLength = -1; return }
    const kv = this.kv
    for (let i = kv.length - 2; i >= 0; i -= 2) if ((kv[i] as string).toLowerCase() === lower) kv.splice(i, 2)
  }

  /** Calls `fn(key, value)` for every header value, Content-Type and Content-Length included (Hertz's `VisitAll`). */
  visitAll (fn: (key: string, value: string) => void): void {
    if (this.contentType !== '') fn('Content-Type', this.contentType)
    if (this.contentLength >= 0) fn('Content-Length', String(this.contentLength))
    const kv = this.kv
    for (let i = 0; i < kv.length; i += 2) fn(kv[i] as string, kv[i + 1] as string)
  }

  /** {@link visitAll} with a `Map.forEach`-style callback, `fn(value, key)`, for code written against Maps. */
  forEach (fn: (value: string, key: string) => void): void {
    this.visitAll((key, value) => { fn(value, key) })
  }

  /** Sets Content-Type. */
  setContentType (contentType: string): void {
    this.contentType = contentType
  }

  /** Drops every header. */
  reset (): void {
    this.kv = []
    this.contentType = ''
    this.contentLength = -1
  }
}

/**
 * The buffered response of a request (Hertz's `protocol.Response`): status, headers and body are collected
 * while the handler chain runs and written by the engine when it ends.
 */
export class Response {
  /** The headers to send. */
  readonly header = new ResponseHeader()
  private status = 200
  /** First body chunk; further ones go to `more`. Keeping the first apart avoids an array for one-shot bodies. */
  private first: Chunk | null = null
  private more: Chunk[] | null = null
  /** Byte length of the buffered chunks, kept as they come so writing the answer need not measure them again. */
  private size = 0
  /** Streamed body set with `setBodyStream`, or null. */
  bodyStream: Readable | null = null
  /** Declared size of `bodyStream` (-1 = unknown, sent chunked). */
  bodyStreamSize = -1
  /** The connection should close after this response. */
  connectionClose = false
  private sent = -1

  /** The status code (200 unless set). */
  statusCode (): number {
    return this.status
  }

  /** Sets the status code. */
  setStatusCode (code: number): void {
    this.status = code
  }

  /**
   * Body bytes put on the wire for this request (after the head), or -1 while unknown. The engine sets it when it
   * writes the response; code that answers through `c.res` itself (the adaptor) sets it with {@link setBytesSent}.
   */
  bytesSent (): number {
    return this.sent
  }

  /** Records how many body bytes went out (see {@link bytesSent}). */
  setBytesSent (n: number): void {
    this.sent = n
  }

  /** Appends to the body. */
  appendBody (chunk: Chunk): void {
    this.appendSized(chunk, chunkLength(chunk))
  }

  /** {@link appendBody} for a caller that has measured the chunk already (`n` bytes). */
  appendSized (chunk: Chunk, n: number): void {
    this.size += n
    if (this.first === null) this.first = chunk
    else if (this.more === null) this.more = [chunk]
    else this.more.push(chunk)
  }

  /** Replaces the body. */
  setBody (chunk: Chunk): void {
    this.first = chunk
    this.more = null
    this.size = chunkLength(chunk)
    this.bodyStream = null
    this.bodyStreamSize = -1
  }

  /** Replaces the body with a stream of `size` bytes (-1 when unknown). */
  setBodyStream (stream: Readable, size = -1): void {
    this.first = null
    this.more = null
    this.size = 0
    this.bodyStream = stream
    this.bodyStreamSize = size
  }

  /** True when a body (bytes or stream) has been set. */
  hasBody (): boolean {
    return this.first !== null || this.bodyStream !== null
  }

  /** The buffered body as one chunk (a string stays a string), or null when empty. */
  bodyChunk (): Chunk | null {
    if (this.more === null) return this.first
    return this.bodyBytes()
  }

  /** The buffered chunks, in order, then forgets them (used when switching to streaming). */
  takeChunks (): Chunk[] {
    const out: Chunk[] = []
    if (this.first !== null) out.push(this.first)
    if (this.more !== null) for (const c of this.more) out.push(c)
    this.first = null
    this.more = null
    this.size = 0
    return out
  }

  /** Length of the buffered body in bytes. */
  bodyLength (): number {
    return this.size
  }

  /** The buffered body as one Buffer. */
  bodyBytes (): Buffer {
    if (this.first === null) return Buffer.alloc(0)
    if (this.more === null) return toBuffer(this.first)
    const parts = [toBuffer(this.first)]
    for (const c of this.more) parts.push(toBuffer(c))
    return Buffer.concat(parts)
  }

  /** The buffered body decoded as UTF-8. */
  bodyString (): string {
    if (this.first !== null && this.more === null && typeof this.first === 'string') return this.first
    return this.bodyBytes().toString()
  }

  /** Resets status, headers and body (Hertz's `Response.Reset`). */
  reset (): void {
    this.status = 200
    this.header.reset()
    this.first = null
    this.more = null
    this.size = 0
    this.bodyStream = null
    this.bodyStreamSize = -1
    this.connectionClose = false
  }
}
