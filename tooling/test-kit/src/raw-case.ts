/**
 * One HTTP request per connection, byte for byte, for case tables (Hertz's ported tests): build the request,
 * send it with `Connection: close`, get the one response back parsed.
 */
import { gunzipSync } from 'node:zlib'
import { parseResponse } from './http-response.js'
import { rawExchange } from './raw-tcp.js'
import type { Teardown } from './teardown.js'

/** A response read off a raw socket: status, lower-cased headers (repeats joined by '\n'), body text. */
export interface SentResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * Builds a request byte for byte: the request line, `Host` (127.0.0.1 unless `headers` give one), `Connection:
 * close`, the headers and the body.
 */
export function buildRequest (method: string, target: string, headers: Record<string, string> = {}, body: string | Buffer = ''): Buffer {
  const { Host: host = '127.0.0.1', ...rest } = headers
  let head = `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n`
  for (const [k, v] of Object.entries(rest)) head += `${k}: ${v}\r\n`
  if (body.length > 0 && headers['Transfer-Encoding'] === undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`
  return Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body)])
}

/** A {@link SentResponse} with its body as the bytes received (a gzipped body stays gzipped). */
export interface SentBytes {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/**
 * Sends `data` on a fresh connection and parses the one response (chunked bodies decoded, nothing decompressed);
 * `isHead`: it answers a HEAD request, so it has no body whatever its Content-Length says.
 */
export async function sendBytes (t: Teardown, port: number, data: string | Buffer, isHead = false): Promise<SentBytes> {
  const { text } = await rawExchange(t, port, data)
  const parsed = parseResponse(Buffer.from(text, 'latin1'), true, isHead)
  if (parsed === null) throw new Error(`no response: ${JSON.stringify(text)}`)
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(parsed.value.headers)) headers[k] = v.join('\n')
  return { status: parsed.value.status, headers, body: parsed.value.body }
}

/**
 * The body as sent before its Content-Encoding: gunzipped when that is gzip (a test asserts the header itself, so a
 * missing gzip fails there and the body is still compared).
 */
export function decodedBody (r: SentBytes): Buffer {
  return r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body
}

/** Sends `data` on a fresh connection and parses the one response (chunked bodies decoded), its body as text. */
export async function send (t: Teardown, port: number, data: string | Buffer): Promise<SentResponse> {
  const r = await sendBytes(t, port, data)
  return { ...r, body: r.body.toString('utf8') }
}

/** A multipart body with CRLF line ends: `[name, value]` fields and `[name, filename, contentType, content]` files. */
export function multipartBody (boundary: string, parts: Array<[string, string] | [string, string, string, string | Buffer]>): Buffer {
  const out: Buffer[] = []
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p[0]}"`
    if (p.length === 4) head += `; filename="${p[1]}"\r\nContent-Type: ${p[2]}`
    out.push(Buffer.from(head + '\r\n\r\n'), Buffer.from(p.length === 4 ? p[3] : p[1]), Buffer.from('\r\n'))
  }
  out.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(out)
}
