/**
 * A raw TCP HTTP/1.1 client for handshake tests: sends exactly the bytes given and parses the one answer, so
 * malformed and refused handshakes can be observed byte for byte; after a 101 the same socket reads frames.
 */
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { takeFrame, type RawFrame } from './frames.js'
import { parseResponse } from './http-response.js'
import type { Teardown } from './teardown.js'

/** A parsed HTTP response read off a raw socket. */
export interface RawResponse {
  status: number
  /** Header values by lower-cased name, in arrival order. */
  headers: Record<string, string[]>
  /** The head exactly as received (status line + headers, without the blank line). */
  head: string
  /** The decoded body (empty for a 101). */
  body: string
  /** Bytes received after the response (after the head of a 101: WebSocket frames), when it was parsed. */
  rest: Buffer
  socket: Socket
  /** Resolves when the server closed the connection. */
  closed: Promise<void>
}

/**
 * Opens a connection, writes `payload` and resolves with the parsed response: at the end of the head for
 * a 101, at the end of the body otherwise (Content-Length, chunked, or close).
 */
export async function rawResponse (t: Teardown, port: number, payload: string | Buffer): Promise<RawResponse> {
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.on('error', () => {})
  await once(socket, 'connect')
  socket.write(payload)
  return new Promise<RawResponse>((resolve, reject) => {
    let buf = Buffer.alloc(0)
    const tryFinish = (ended: boolean): void => {
      let parsed
      try {
        parsed = parseResponse(buf, ended)
      } catch (err) {
        reject(err)
        return
      }
      if (parsed === null) {
        if (ended) reject(new Error(`connection closed inside the response: ${JSON.stringify(buf.toString('latin1'))}`))
        return
      }
      socket.removeListener('data', onData)
      socket.removeListener('end', onEnd)
      const { status, headers, head, body } = parsed.value
      // After a 101 the socket carries frames: later bytes stay in it for frameReader, earlier ones are `rest`.
      if (status === 101) socket.pause()
      resolve({ status, headers, head, body: body.toString('utf8'), rest: buf.subarray(parsed.used), socket, closed })
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

/**
 * Reads server frames off a raw socket, starting with the bytes already received after the 101 head.
 * `next()` resolves with the next complete frame, or rejects when the connection closes first.
 */
export function frameReader (socket: Socket, rest: Buffer): { next(): Promise<RawFrame> } {
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
    async next () {
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
