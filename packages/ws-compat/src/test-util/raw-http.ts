/**
 * A raw TCP HTTP/1.1 client for handshake tests: sends exactly the bytes given and parses the answer, so
 * malformed and refused handshakes can be observed byte for byte.
 */
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { takeFrame, type RawFrame } from './frames.js'

export { clientFrame, type RawFrame } from './frames.js'

/** The part of a tap test the helpers need. */
export interface Teardown {
  teardown(fn: () => unknown): void
}

/** A parsed HTTP response read off a raw socket. */
export interface RawResponse {
  status: number
  /** Header values by lower-cased name, in arrival order. */
  headers: Record<string, string[]>
  /** The head exactly as received (status line + headers, without the blank line). */
  head: string
  /** The decoded body (empty for a 101). */
  body: string
  /** Bytes received after the head of a 101 (WebSocket frames), at the time the head was parsed. */
  rest: Buffer
  socket: Socket
  /** Resolves when the server closed the connection. */
  closed: Promise<void>
}

/** A valid `Sec-WebSocket-Key` (RFC 6455 section 1.3's example). */
export const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='
/** Its `Sec-WebSocket-Accept`. */
export const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='

/**
 * Builds a WebSocket handshake request. `headers` entries override the defaults; a `null` value removes
 * the header.
 */
export function handshakeRequest(
  options: { method?: string; path?: string; host?: string; headers?: Record<string, string | null> } = {},
): string {
  const headers: Record<string, string | null> = {
    Host: options.host ?? 'localhost',
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': KEY,
    ...options.headers,
  }
  let text = `${options.method ?? 'GET'} ${options.path ?? '/echo'} HTTP/1.1\r\n`
  for (const [name, value] of Object.entries(headers)) if (value !== null) text += `${name}: ${value}\r\n`
  return text + '\r\n'
}

/**
 * Opens a connection, writes `payload` and resolves with the parsed response: at the end of the head for
 * a 101, at the end of the body otherwise (Content-Length, chunked, or close).
 */
export async function rawExchange(t: Teardown, port: number, payload: string | Buffer): Promise<RawResponse> {
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.on('error', () => {})
  await once(socket, 'connect')
  socket.write(payload)
  return new Promise<RawResponse>((resolve, reject) => {
    let buf = Buffer.alloc(0)
    let parsed: Omit<RawResponse, 'body' | 'rest'> | null = null
    let bodyStart = 0
    const tryFinish = (ended: boolean): void => {
      if (parsed === null) {
        const end = buf.indexOf('\r\n\r\n')
        if (end === -1) {
          if (ended) reject(new Error(`connection closed before a full head: ${JSON.stringify(buf.toString('latin1'))}`))
          return
        }
        const head = buf.subarray(0, end).toString('latin1')
        const [statusLine, ...lines] = head.split('\r\n')
        const headers: Record<string, string[]> = {}
        for (const line of lines) {
          const i = line.indexOf(':')
          const name = line.slice(0, i).toLowerCase()
          ;(headers[name] ??= []).push(line.slice(i + 1).trim())
        }
        parsed = { status: Number(statusLine!.split(' ')[1]), headers, head, socket, closed }
        bodyStart = end + 4
        if (parsed.status === 101) {
          socket.removeListener('data', onData)
          socket.removeListener('end', onEnd)
          socket.pause()
          resolve({ ...parsed, body: '', rest: buf.subarray(bodyStart) })
          return
        }
      }
      const body = buf.subarray(bodyStart)
      const length = parsed.headers['content-length']?.[0]
      if (length !== undefined) {
        if (body.length >= Number(length)) done(body.subarray(0, Number(length)).toString('utf8'))
        else if (ended) reject(new Error('connection closed inside the body'))
      } else if (parsed.headers['transfer-encoding']?.[0] === 'chunked') {
        const decoded = decodeChunked(body)
        if (decoded !== null) done(decoded)
        else if (ended) reject(new Error('connection closed inside a chunked body'))
      } else if (ended) {
        done(body.toString('utf8'))
      }
    }
    const done = (body: string): void => {
      socket.removeListener('data', onData)
      socket.removeListener('end', onEnd)
      resolve({ ...parsed!, body, rest: Buffer.alloc(0) })
    }
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d])
      tryFinish(false)
    }
    const onEnd = (): void => tryFinish(true)
    socket.on('data', onData)
    socket.on('end', onEnd)
  })
}

function decodeChunked(body: Buffer): string | null {
  let out = ''
  let i = 0
  for (;;) {
    const lineEnd = body.indexOf('\r\n', i)
    if (lineEnd === -1) return null
    const size = parseInt(body.subarray(i, lineEnd).toString('latin1'), 16)
    if (size === 0) return body.indexOf('\r\n', lineEnd + 2) === -1 ? null : out
    if (body.length < lineEnd + 2 + size + 2) return null
    out += body.subarray(lineEnd + 2, lineEnd + 2 + size).toString('utf8')
    i = lineEnd + 2 + size + 2
  }
}

/**
 * Reads server frames off a raw socket, starting with the bytes already received after the 101 head.
 * `next()` resolves with the next complete frame, or rejects when the connection closes first.
 */
export function frameReader(socket: Socket, rest: Buffer): { next(): Promise<RawFrame> } {
  let buf = rest
  let ended = false
  let wake: (() => void) | null = null
  socket.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); wake?.() })
  socket.on('close', () => { ended = true; wake?.() })
  socket.resume()
  const take = (): RawFrame | null => {
    const taken = takeFrame(buf)
    if (taken === null) return null
    buf = taken[1]
    return taken[0]
  }
  return {
    async next() {
      for (;;) {
        const frame = take()
        if (frame !== null) return frame
        if (ended) throw new Error('connection closed before a full frame')
        await new Promise<void>((resolve) => { wake = resolve })
        wake = null
      }
    },
  }
}
