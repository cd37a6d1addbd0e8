import type { Test } from 'tap'
import { rawExchange } from './http.js'

/** A response read off a raw socket: status, lower-cased headers (repeats joined by '\n'), body text. */
export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Builds a request byte for byte: the request line, `Host`, `Connection: close`, the headers and the body. */
export function rawRequest (method: string, target: string, headers: Record<string, string> = {}, body: string | Buffer = ''): Buffer {
  let head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`
  if (body.length > 0 && headers['Transfer-Encoding'] === undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`
  return Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body)])
}

/** Sends `data` and parses the one response (chunked bodies decoded). */
export async function send (t: Test, port: number, data: string | Buffer): Promise<RawResponse> {
  const { text } = await rawExchange(t, port, data)
  const end = text.indexOf('\r\n\r\n')
  const lines = text.slice(0, end).split('\r\n')
  const status = Number((lines[0] as string).split(' ')[1])
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':')
    const k = line.slice(0, i).toLowerCase()
    const v = line.slice(i + 1).trim()
    headers[k] = headers[k] === undefined ? v : headers[k] + '\n' + v
  }
  let body = Buffer.from(text.slice(end + 4), 'latin1')
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = []
    let s = body.toString('latin1')
    for (;;) {
      const nl = s.indexOf('\r\n')
      const n = parseInt(s.slice(0, nl), 16)
      if (!(n > 0)) break
      parts.push(Buffer.from(s.slice(nl + 2, nl + 2 + n), 'latin1'))
      s = s.slice(nl + 2 + n + 2)
    }
    body = Buffer.concat(parts)
  }
  return { status, headers, body: body.toString('utf8') }
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
