/**
 * Raw TCP clients for HTTP tests: exact bytes out, everything the server sends recorded (latin1), so malformed
 * requests and what a server does with them (answer, close, keep alive) can be asserted byte for byte.
 */
import { connect, type AddressInfo, type Socket } from 'node:net'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import type { Teardown } from './teardown.js'

/** Opens a raw TCP connection to the server; closed at teardown. */
export function openSocket (t: Teardown, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => { resolve(s) })
    s.once('error', reject)
    t.teardown(() => { s.destroy() })
  })
}

/**
 * Sends `data` on a fresh connection and collects everything the server sends until it closes the connection
 * (or `ms` elapse, then the text so far is returned with `closed: false`).
 */
export async function rawExchange (t: Teardown, port: number, data: string | Buffer, ms = 3000): Promise<{ text: string, closed: boolean }> {
  const s = await openSocket(t, port)
  return new Promise(resolve => {
    const chunks: Buffer[] = []
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed })
    }
    const timer = setTimeout(() => { finish(false) }, ms)
    s.on('data', (c: Buffer) => chunks.push(c))
    s.on('close', () => { finish(true) })
    s.on('error', () => { finish(true) })
    s.write(data)
  })
}

/**
 * `GET path` and then `GET /next` with `Connection: close`, pipelined on one keep-alive connection: whatever the
 * first answer gets wrong about its length shows up in how the second one is read.
 */
export function pipelinedPair (path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`
}

const received = new WeakMap<Socket, { text: string }>()

/**
 * Reads from `s` until `pred(everything received so far)` holds or the socket closes. Data is recorded from the
 * first call on, so bytes that arrive together with an earlier answer are not lost between calls.
 */
export function readUntil (s: Socket, pred: (text: string) => boolean, ms = 3000): Promise<string> {
  let acc = received.get(s)
  if (acc === undefined) {
    const rec = { text: '' }
    acc = rec
    received.set(s, rec)
    s.on('data', (c: Buffer) => { rec.text += c.toString('latin1') })
  }
  const all = acc
  return new Promise((resolve, reject) => {
    if (pred(all.text)) { resolve(all.text); return }
    const cleanup = (): void => {
      clearTimeout(timer)
      s.removeListener('data', onData)
      s.removeListener('close', onClose)
    }
    const onData = (): void => {
      if (pred(all.text)) { cleanup(); resolve(all.text) }
    }
    const onClose = (): void => { cleanup(); resolve(all.text) }
    const timer = setTimeout(() => { cleanup(); reject(new Error('readUntil timed out; got: ' + JSON.stringify(all.text))) }, ms)
    s.on('data', onData)
    s.on('close', onClose)
  })
}

/** Resolves once `s` has closed (at once if it already has). */
export function closed (s: Socket): Promise<void> {
  return new Promise(resolve => { if (s.destroyed) resolve(); else s.once('close', () => { resolve() }) })
}

/** Listens `server` on 127.0.0.1:0 and closes it (and every connection) at teardown; returns the port. */
export async function listen (t: Teardown, s: Server = createServer()): Promise<number> {
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  t.teardown(() => {
    s.closeAllConnections()
    return new Promise<void>((resolve) => s.close(() => resolve()))
  })
  return (s.address() as AddressInfo).port
}

/** A raw TCP client that records everything it receives (see {@link raw}). */
export interface RecordingClient {
  socket: Socket
  /** Everything received so far, latin1. */
  text(): string
  /** Resolves with the text once it contains `s` (rejects when the socket closes first or after `ms`). */
  until(s: string, ms?: number): Promise<string>
  /** Resolves when the server closed the connection. */
  closed: Promise<void>
}

/** Connects to `port`, sends `payload`, records the answer; destroyed at teardown. */
export async function raw (t: Teardown, port: number, payload: string | Buffer): Promise<RecordingClient> {
  const socket = await openSocket(t, port)
  let buf = ''
  let ended = false
  const waiters: Array<{ s: string, resolve: (v: string) => void, reject: (e: Error) => void, timer: NodeJS.Timeout }> = []
  const settle = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!
      if (buf.includes(w.s)) {
        waiters.splice(i, 1)
        clearTimeout(w.timer)
        w.resolve(buf)
      } else if (ended) {
        waiters.splice(i, 1)
        clearTimeout(w.timer)
        w.reject(new Error(`connection closed before ${JSON.stringify(w.s)}; got ${JSON.stringify(buf)}`))
      }
    }
  }
  socket.setEncoding('latin1')
  socket.on('data', (d: string) => { buf += d; settle() })
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.once('close', () => { ended = true; settle(); resolve() }))
  socket.write(payload)
  return {
    socket,
    text: () => buf,
    until: (s, ms = 5000) => buf.includes(s)
      ? Promise.resolve(buf)
      : new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${JSON.stringify(s)}; got ${JSON.stringify(buf)}`)), ms)
        waiters.push({ s, resolve, reject, timer })
        settle()
      }),
    closed
  }
}

/** The process's TCP handles (servers and connections), to assert that in-memory work opened none. */
export function tcpResources (): string[] {
  return process.getActiveResourcesInfo().filter(r => r.startsWith('TCP')).sort()
}
