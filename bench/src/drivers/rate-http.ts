/**
 * The fixed-rate HTTP workload: `GET /hello` on `connections` keep-alive sockets, one request at a time per
 * socket (no pipelining: a service client at normal load), a request waiting for a free socket when all
 * are busy. A minimal HTTP/1.1 client on node:net: node:http's own client costs the load generator about
 * 55 µs of CPU per request, nearly three times what the server spends, and on a shared 2-core machine that
 * made the client, not the server, miss the rate. autocannon's `overallRate` was not used either: it
 * meters each connection per second and so sends bursts. Every status and body is checked.
 */
import { connect, type Socket } from 'node:net'
import type { RateClient } from '../rate/pacing.js'

interface Waiter { resolve: () => void, reject: (err: Error) => void }

const HEAD_END = Buffer.from('\r\n\r\n')
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i

/**
 * Parses one response at the start of `buf`: undefined while it is incomplete, else its status line's
 * code, its body and the bytes it took. A response without Content-Length is refused (every server under
 * test sends one for `/hello`).
 */
export function parseResponse (buf: Buffer): { status: number, body: string, length: number } | undefined {
  const end = buf.indexOf(HEAD_END)
  if (end === -1) return undefined
  const head = buf.toString('latin1', 0, end)
  const m = CONTENT_LENGTH.exec(head)
  if (m === null) throw new Error(`response without Content-Length: ${JSON.stringify(head.slice(0, 200))}`)
  const length = end + HEAD_END.length + Number(m[1])
  if (buf.length < length) return undefined
  return { status: Number(head.slice(9, 12)), body: buf.toString('utf8', end + HEAD_END.length, length), length }
}

/** One keep-alive connection with at most one request outstanding. */
class HttpConn {
  private buf: Buffer = Buffer.alloc(0)
  private waiter: Waiter | null = null
  private broken: Error | null = null

  constructor (private readonly socket: Socket, private readonly request: Buffer, private readonly expectBody: string, private readonly onFree: (c: HttpConn) => void) {
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err) => this.fail(err))
    socket.on('close', () => this.fail(new Error('connection closed by the server')))
  }

  send (waiter: Waiter): void {
    if (this.broken !== null) return waiter.reject(this.broken)
    this.waiter = waiter
    this.socket.write(this.request)
  }

  private onData (chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    let r
    try {
      r = parseResponse(this.buf)
    } catch (err) {
      return this.fail(err as Error)
    }
    if (r === undefined) return
    this.buf = this.buf.subarray(r.length)
    const waiter = this.waiter
    this.waiter = null
    if (waiter === null || this.buf.length > 0) return this.fail(new Error('a response nobody asked for'))
    if (r.status !== 200) waiter.reject(new Error(`status ${r.status}`))
    else if (r.body !== this.expectBody) waiter.reject(new Error(`body ${JSON.stringify(r.body.slice(0, 80))} is not ${this.expectBody}`))
    else waiter.resolve()
    this.onFree(this)
  }

  private fail (err: Error): void {
    this.broken ??= err
    const waiter = this.waiter
    this.waiter = null
    waiter?.reject(err)
  }

  close (): void {
    this.broken ??= new Error('closed')
    this.socket.destroy()
  }
}

/**
 * `connections` sockets and the requests waiting for one. Free connections are taken in turn (oldest free
 * first): at a rate well below saturation a stack would keep reusing the one or two on top while the rest sat
 * idle - not the 20 connections the workload states - until the server's keep-alive timeout closed them (bare
 * node:http's 5 s cut the runs of `bench:side-by-side` short).
 */
class HttpPool {
  private readonly free: HttpConn[] = []
  private readonly queue: Waiter[] = []
  readonly conns: HttpConn[] = []

  add (conn: HttpConn): void {
    this.conns.push(conn)
    this.free.push(conn)
  }

  release (conn: HttpConn): void {
    const next = this.queue.shift()
    if (next === undefined) this.free.push(conn)
    else conn.send(next)
  }

  get (): Promise<void> {
    return new Promise((resolve, reject) => {
      const conn = this.free.shift()
      if (conn === undefined) this.queue.push({ resolve, reject })
      else conn.send({ resolve, reject })
    })
  }
}

function open (port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host)
    socket.once('connect', () => { socket.off('error', reject); resolve(socket) })
    socket.once('error', reject)
  })
}

/**
 * Opens `connections` keep-alive connections for `GET url` (`http://HOST:PORT/path`), answered with `expectBody`:
 * an operation is one request on a free connection (or the next one freed), complete when the checked answer came back.
 */
export async function openHttpClient (url: string, connections: number, expectBody: string): Promise<RateClient> {
  const { hostname, port, pathname, host } = new URL(url)
  const request = Buffer.from(`GET ${pathname} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 'latin1')
  const pool = new HttpPool()
  const sockets = await Promise.all(Array.from({ length: connections }, () => open(Number(port), hostname)))
  for (const s of sockets) pool.add(new HttpConn(s, request, expectBody, (c) => pool.release(c)))
  return {
    op: () => pool.get(),
    close: async () => {
      for (const c of pool.conns) c.close()
      return null
    }
  }
}
