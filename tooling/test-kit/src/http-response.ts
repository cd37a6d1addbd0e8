/**
 * An HTTP/1.x response parser for raw-socket tests: incremental (call it again with more bytes), strict about
 * the status line and header lines, and aware of every way a body can end (none for 1xx/204/304 and HEAD,
 * Content-Length, chunked, or the end of the stream). Every suite uses this one parser.
 */

/** A response as it came off the wire. */
export interface ParsedResponse {
  status: number
  statusText: string
  version: string
  /** Lower-cased names; repeated headers keep every value, in arrival order. */
  headers: Record<string, string[]>
  /** The head exactly as received (status line and headers, without the blank line). */
  head: string
  /** The decoded body (empty when the status has none). */
  body: Buffer
}

/**
 * Parses the response at the start of `buf`.
 *
 * @param buf - the bytes received so far
 * @param ended - no more bytes will come (a body delimited by the end of the stream is complete)
 * @param isHead - the response answers a HEAD request, so it has no body whatever its headers say
 * @returns the response and the bytes it used, or `null` while more bytes are needed
 * @throws when the bytes are not an HTTP response, or the stream ended inside its head
 */
export function parseResponse (
  buf: Buffer,
  ended: boolean,
  isHead = false
): { value: ParsedResponse; used: number } | null {
  const end = buf.indexOf('\r\n\r\n')
  if (end === -1) {
    if (ended && buf.length > 0) {
      throw new Error(`incomplete response head: ${JSON.stringify(buf.toString('latin1').slice(0, 200))}`)
    }
    return null
  }
  const head = buf.subarray(0, end).toString('latin1')
  const [statusLine, ...lines] = head.split('\r\n')
  const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine as string)
  if (m === null) throw new Error(`bad status line: ${JSON.stringify(statusLine)}`)
  const headers: Record<string, string[]> = {}
  for (const line of lines) {
    const i = line.indexOf(':')
    if (i <= 0) throw new Error(`bad header line: ${JSON.stringify(line)}`)
    ;(headers[line.slice(0, i).trim().toLowerCase()] ??= []).push(line.slice(i + 1).trim())
  }
  const status = Number(m[2])
  const bodyStart = end + 4
  const response = (body: Buffer, used: number): { value: ParsedResponse; used: number } => ({
    value: { status, statusText: m[3] ?? '', version: m[1] as string, headers, head, body },
    used,
  })
  if (isHead || status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return response(Buffer.alloc(0), bodyStart)
  }
  const te = headers['transfer-encoding']?.join(',').toLowerCase() ?? ''
  if (te.includes('chunked')) return parseChunked(buf, bodyStart, response)
  const cl = headers['content-length']
  if (cl !== undefined) {
    const n = Number(cl[0])
    if (buf.length < bodyStart + n) return null
    return response(buf.subarray(bodyStart, bodyStart + n), bodyStart + n)
  }
  if (!ended) return null
  return response(buf.subarray(bodyStart), buf.length)
}

function parseChunked<T> (buf: Buffer, start: number, done: (body: Buffer, used: number) => T): T | null {
  const parts: Buffer[] = []
  let off = start
  for (;;) {
    const eol = buf.indexOf('\r\n', off)
    if (eol === -1) return null
    const size = parseInt(buf.subarray(off, eol).toString('latin1'), 16)
    if (Number.isNaN(size)) throw new Error('bad chunk size')
    off = eol + 2
    if (size === 0) {
      const endTrailers = buf.indexOf('\r\n', off)
      if (endTrailers === -1) return null
      return done(Buffer.concat(parts), endTrailers + 2)
    }
    if (buf.length < off + size + 2) return null
    parts.push(buf.subarray(off, off + size))
    off += size + 2
  }
}
