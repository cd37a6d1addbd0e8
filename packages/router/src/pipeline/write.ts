import { STATUS_CODES, validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { logRecovered, type Logger } from '../errors.js'
import { chunkLength, type Chunk, type Response } from '../context/response.js'
import { hasProgressiveHeaders } from '../server/node-internals.js'
import type { Options } from '../server/options.js'
import { kStreaming } from '../symbols.js'
import { pipeSized } from './sized-body.js'
import { moreQueued } from './queued.js'

// Writing the buffered response: one writeHead call with a flat header list (node:http's fastest path: no
// setHeader bookkeeping, no header object), then one end().

/** The Content-Type of text answers. */
export const PLAIN = 'text/plain; charset=utf-8'
const DONE: Promise<void> = Promise.resolve()

/** What writing an answer needs of a request context (write.ts sits below it: `c.flush()` streams through here). */
export interface Answerable {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly response: Response
  readonly engine: { readonly options: Options, logger: Logger, isClosing (): boolean }
  [kStreaming]: boolean
  write (chunk: Chunk): number
}

/**
 * `res.writeHead(status, kv)`, keeping repeated names. Every router response head goes through here.
 *
 * While `res` never had a progressive header, node sends the flat list as it is. Otherwise node 20 applies it
 * with `setHeader` pair by pair, and a repeated name (two `Set-Cookie`) keeps only its last value; so the list
 * is applied here the way newer node does it: its names replace what `res` holds, its repeats are appended.
 */
function writeHead (res: ServerResponse, status: number, kv: string[]): void {
  if (!hasProgressiveHeaders(res)) res.writeHead(status, kv)
  else writeHeadMerged(res, status, kv)
}

/** {@link writeHead} for a response that has (or had) progressive headers: kept out of the hot function. */
function writeHeadMerged (res: ServerResponse, status: number, kv: string[]): void {
  // Validate everything before touching `res`, so a rejected header leaves it as it was for the 500 fallback.
  for (let i = 0; i < kv.length; i += 2) {
    validateHeaderName(kv[i] as string)
    validateHeaderValue(kv[i] as string, kv[i + 1])
  }
  for (let i = 0; i < kv.length; i += 2) res.removeHeader(kv[i] as string)
  for (let i = 0; i < kv.length; i += 2) res.appendHeader(kv[i] as string, kv[i + 1] as string)
  res.writeHead(status)
}

/** False for statuses that never carry a body (1xx, 204, 304). */
export function bodyAllowedForStatus (status: number): boolean {
  return !((status >= 100 && status <= 199) || status === 204 || status === 304)
}

/** True when this response must end its connection. */
function mustClose (c: Answerable): boolean {
  const o = c.engine.options
  return c.response.connectionClose || !o.keepAlive || (o.idleTimeout === 0 && !moreQueued(c.req.socket)) ||
    c.engine.isClosing()
}

/**
 * The response headers as a flat list, completed with Content-Type, Content-Length (when `length` >= 0),
 * Server and Connection. It reuses the header list itself: nothing reads it after the chain has ended.
 */
function headList (c: Answerable, status: number, length: number): string[] {
  const h = c.response.header
  const o = c.engine.options
  const kv = h.kv
  const allowBody = bodyAllowedForStatus(status)
  if (h.contentType !== '') kv.push('Content-Type', h.contentType)
  else if (allowBody && !o.disableDefaultContentType) kv.push('Content-Type', PLAIN)
  if (allowBody && length >= 0) kv.push('Content-Length', String(length))
  // The handler's own Server replaces the default, as in Hertz (where the default is set before the handlers run).
  if (!o.disableDefaultServerHeader && !h.has('server')) kv.push('Server', 'hertz')
  if (mustClose(c)) kv.push('Connection', 'close')
  return kv
}

/** Ends `res`: a stream is ended; the buffered answer is written unless someone already answered through `c.res`. */
export function writeAnswer (c: Answerable, res: ServerResponse): void {
  if (c[kStreaming]) {
    if (!res.writableEnded && !res.destroyed) res.end()
  } else if (!res.headersSent && !res.writableEnded && !res.destroyed) {
    sendSafely(c)
  }
}

/** Writes the buffered response; if that throws (bad header, bad status), answers a bare 500 instead. */
export function sendSafely (c: Answerable): void {
  try {
    sendResponse(c)
  } catch (err) {
    sendFallback(c, err)
  }
}

/** Writing the answer threw: log it, then a bare 500 if the head has not gone out, else cut the connection. */
function sendFallback (c: Answerable, err: unknown): void {
  logRecovered(c.engine.logger, err)
  const res = c.res
  if (res.headersSent) { res.destroy(); return }
  // node took the reason phrase of the refused status before it validated the headers, and would keep it for
  // the 500 ("500 Found"): let it pick the 500's own.
  res.statusMessage = ''
  c.response.reset()
  c.response.setStatusCode(500)
  c.response.setBody('Internal Server Error')
  try { sendResponse(c) } catch { res.destroy() }
}

/** Writes the buffered response (or its body stream) to `c.res`. */
export function sendResponse (c: Answerable): void {
  const res = c.res
  const r = c.response
  const status = r.statusCode()
  if (c.engine.options.disableDefaultDate) res.sendDate = false
  const noBody = c.req.method === 'HEAD' || !bodyAllowedForStatus(status)
  if (r.bodyStream !== null) {
    sendStream(c, res, r.bodyStream, status, noBody)
    return
  }
  const body = r.bodyChunk()
  const length = r.bodyLength()
  writeHead(res, status, headList(c, status, length))
  r.setBytesSent(noBody ? 0 : length)
  if (body === null) res.end()
  else res.end(body)
}

/** The head, then `stream` piped as the body (kept apart from the buffered case, which is the hot one). */
function sendStream (c: Answerable, res: ServerResponse, stream: Readable, status: number, noBody: boolean): void {
  const r = c.response
  const size = r.bodyStreamSize
  writeHead(res, status, headList(c, status, size))
  r.setBytesSent(0)
  stream.on('error', (err) => { res.destroy(err) })
  // pipe() leaves its source open when the client goes away: release it (a file stream holds a descriptor).
  res.on('close', () => { if (!stream.readableEnded) stream.destroy() })
  if (!noBody && size >= 0) {
    pipeSized(c, res, stream, size)
    return
  }
  if (!noBody) stream.on('data', (chunk: Chunk) => { r.setBytesSent(r.bytesSent() + chunkLength(chunk)) })
  stream.pipe(res)
}

/** Sends the head now (chunked unless the application set a Content-Length) followed by any buffered bytes. */
export function startStream (c: Answerable): void {
  const res = c.res
  const r = c.response
  c[kStreaming] = true
  if (c.engine.options.disableDefaultDate) res.sendDate = false
  const chunks = r.takeChunks()
  const status = r.statusCode()
  writeHead(res, status, headList(c, status, r.header.contentLength))
  r.setBytesSent(0)
  if (chunks.length === 0) res.flushHeaders()
  for (const chunk of chunks) c.write(chunk)
}

/** Resolves once `c.res` can take more data (or is gone). */
export function waitDrain (c: Answerable): Promise<void> {
  const res = c.res
  if (!res.writableNeedDrain || res.destroyed) return DONE
  return new Promise<void>(resolve => {
    const done = (): void => {
      res.removeListener('drain', done)
      res.removeListener('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/**
 * The raw response head (status line, headers and the blank line) for a hijacked connection, as latin1 text:
 * the caller writes it as it is, and the body ({@link rawBody}) after it. Header names and values are validated,
 * since they bypass node:http.
 */
export function rawResponse (c: Answerable): string {
  const r = c.response
  const status = r.statusCode()
  const h = r.header
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`
  const kv = h.kv
  for (let i = 0; i < kv.length; i += 2) head += rawHeaderLine(kv[i] as string, kv[i + 1] as string)
  if (h.contentType !== '') head += rawHeaderLine('Content-Type', h.contentType)
  const length = bodyAllowedForStatus(status) ? r.bodyLength() : 0
  if (length > 0) head += rawHeaderLine('Content-Length', String(length))
  if (!c.engine.options.disableDefaultServerHeader && !h.has('server')) head += 'Server: hertz\r\n'
  return head + '\r\n'
}

/** The body that follows {@link rawResponse}'s head, or `null` when there is none to send. */
export function rawBody (c: Answerable): Buffer | null {
  const r = c.response
  if (!bodyAllowedForStatus(r.statusCode()) || r.bodyLength() === 0) return null
  return r.bodyBytes()
}

// A header line is checked with one regular expression per name and value; only a line that fails is handed
// to node:http's validators, so the error thrown is node's own (ERR_INVALID_HTTP_TOKEN, ERR_INVALID_CHAR).
const HTTP_TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/

function rawHeaderLine (name: string, value: string): string {
  if (!HTTP_TOKEN.test(name)) validateHeaderName(name)
  if (typeof value !== 'string' || INVALID_VALUE_CHAR.test(value)) validateHeaderValue(name, value)
  return `${name}: ${value}\r\n`
}

/** A complete `Connection: close` text/plain response for errors answered below node:http (parse errors, timeouts). */
export function rawErrorResponse (status: number, msg: string, serverHeader: boolean): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n` +
    (serverHeader ? 'Server: hertz\r\n' : '') +
    `Content-Type: ${PLAIN}\r\nContent-Length: ${Buffer.byteLength(msg)}\r\nConnection: close\r\n\r\n${msg}`
}
