/**
 * A raw TCP client for malformed input: sends exact bytes, reads an HTTP response (status line, headers,
 * body by Content-Length, chunked or until close), then WebSocket frames, and reports how the server
 * ended the connection. Nothing here validates on the client's behalf - that is the point. Requests are
 * built with `@hertz-node/test-kit/handshake`; frames and responses parsed with the kit's codec and parser.
 */
import net from 'node:net'
import { parseFrame, type ParsedFrame } from '@hertz-node/test-kit/frames'
import { parseResponse, type ParsedResponse } from '@hertz-node/test-kit/http-response'
import { MessageAssembler } from './frame-reader.js'
import { clientClose } from './frames.js'

/** A parsed HTTP response as it came off the wire. */
export type RawResponse = ParsedResponse

/** Raised when the peer closed before the awaited bytes arrived. */
export class PeerClosedError extends Error {
  constructor (readonly buffered: Buffer) {
    super(`peer closed the connection (${buffered.length} unread bytes)`)
  }
}

type Parser<T> = (buf: Buffer, ended: boolean) => { value: T, used: number } | null

/** One raw connection. Every instance must be destroyed by its test (see `RawConn.track`). */
export class RawConn {
  private buf: Buffer = Buffer.alloc(0)
  private wake: (() => void) | null = null
  /** True once the peer sent FIN or the socket closed. */
  ended = false
  /** Set when the socket closed; `reset` when that happened through ECONNRESET. */
  closedInfo: { reset: boolean, error: string | null } | null = null
  readonly closed: Promise<void>
  private lastError: Error | null = null

  private constructor (readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
      this.poke()
    })
    socket.on('end', () => { this.ended = true; this.poke() })
    socket.on('error', (err) => { this.lastError = err })
    this.closed = new Promise(resolve => socket.once('close', () => {
      const code = (this.lastError as NodeJS.ErrnoException | null)?.code
      this.closedInfo = { reset: code === 'ECONNRESET' || code === 'EPIPE', error: code ?? null }
      this.ended = true
      this.poke()
      resolve()
    }))
  }

  /** Opens a connection to 127.0.0.1:`port`. */
  static connect (port: number, host = '127.0.0.1'): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host })
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new RawConn(socket))
      })
    })
  }

  private poke (): void {
    const w = this.wake
    this.wake = null
    w?.()
  }

  /** Writes bytes; never throws (a write to a closed socket is one of the outcomes under test). */
  write (data: Buffer | string): void {
    if (!this.socket.destroyed) this.socket.write(data)
  }

  /** Writes `chunks` one by one, `gapMs` apart, stopping early if the socket closes. */
  async writeSlowly (chunks: readonly (Buffer | string)[], gapMs: number): Promise<number> {
    let sent = 0
    for (const c of chunks) {
      if (this.socket.destroyed || this.ended) break
      this.write(c)
      sent++
      await new Promise(resolve => setTimeout(resolve, gapMs))
    }
    return sent
  }

  /** Runs `parse` over the buffered bytes until it yields, the peer closes, or `timeoutMs` passes. */
  async take<T> (parse: Parser<T>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const r = parse(this.buf, this.ended)
      if (r !== null) {
        this.buf = this.buf.subarray(r.used)
        return r.value
      }
      if (this.ended) throw new PeerClosedError(this.buf)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.buf.length} bytes buffered)`)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        this.wake = () => { clearTimeout(timer); resolve() }
      })
    }
  }

  /** Reads one HTTP response. `head: true` for a response to HEAD (no body). */
  response (timeoutMs = 5000, opts: { head?: boolean } = {}): Promise<RawResponse> {
    return this.take((buf, ended) => parseResponse(buf, ended, opts.head === true), timeoutMs, 'an HTTP response')
  }

  /** Reads one WebSocket frame. */
  frame (timeoutMs = 5000): Promise<ParsedFrame> {
    return this.take(buf => {
      const r = parseFrame(buf)
      return r === null ? null : { value: r.frame, used: r.used }
    }, timeoutMs, 'a frame')
  }

  /**
   * Reads frames until the server's close frame (or the connection's end) and returns what arrived.
   * With `reply`, answers the close with a masked close frame carrying the same code, as RFC 6455 5.5.1 asks.
   */
  async readUntilClose (timeoutMs = 5000, reply = true): Promise<MessageAssembler> {
    const a = new MessageAssembler()
    const deadline = Date.now() + timeoutMs
    while (!a.closed) {
      let f: ParsedFrame
      try {
        f = await this.frame(Math.max(1, deadline - Date.now()))
      } catch (err) {
        if (err instanceof PeerClosedError) return a
        throw err
      }
      a.add(f)
    }
    if (reply && !this.socket.destroyed) this.write(clientClose(a.closeCode ?? 1000))
    return a
  }

  /** Resolves true if the peer closes the TCP connection within `timeoutMs`, false otherwise. */
  async waitClosed (timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const r = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), timeoutMs) })
    ])
    clearTimeout(timer)
    return r
  }

  /** Resolves true once the peer has sent FIN or closed, within `timeoutMs`. */
  async waitEnded (timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!this.ended) {
      const left = deadline - Date.now()
      if (left <= 0) return false
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        this.wake = () => { clearTimeout(timer); resolve() }
      })
    }
    return true
  }

  /** Bytes received but not consumed yet. */
  pending (): Buffer {
    return this.buf
  }

  /** Closes the socket at once. */
  destroy (): void {
    this.socket.destroy()
  }
}

/** Live raw connections per test, so a teardown can destroy whatever a failing test left open. */
export class RawPool {
  private readonly conns = new Set<RawConn>()

  /** Connects and remembers the connection. */
  async connect (port: number): Promise<RawConn> {
    const c = await RawConn.connect(port)
    this.conns.add(c)
    void c.closed.then(() => this.conns.delete(c))
    return c
  }

  /** Destroys every connection still open. */
  destroyAll (): void {
    for (const c of this.conns) c.destroy()
    this.conns.clear()
  }
}
