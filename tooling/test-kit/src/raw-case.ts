/**
 * One HTTP request per connection, byte for byte, for case tables (Hertz's ported tests): build the request,
 * send it with `Connection: close`, get the one response back parsed.
 */
import { parseResponse } from './http-response.js'
import { rawExchange } from './raw-tcp.js'
import type { Teardown } from './teardown.js'

/** A response read off a raw socket: status, lower-cased headers (repeats joined by '\n'), body text. */
export interface SentResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Builds a request byte for byte: the request line, `Host`, `Connection: close`, the headers and the body. */
export function buildRequest (method: string, target: string, headers: Record<string, string> = {}, body: string | Buffer = ''): Buffer {
  let head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`
  if (body.length > 0 && headers['Transfer-Encoding'] === undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`
  return Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body)])
}

/** Sends `data` on a fresh connection and parses the one response (chunked bodies decoded). */
export async function send (t: Teardown, port: number, data: string | Buffer): Promise<SentResponse> {
  const { text } = await rawExchange(t, port, data)
  const parsed = parseResponse(Buffer.from(text, 'latin1'), true)
  if (parsed === null) throw new Error(`no response: ${JSON.stringify(text)}`)
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(parsed.value.headers)) headers[k] = v.join('\n')
  return { status: parsed.value.status, headers, body: parsed.value.body.toString('utf8') }
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
