import { connect, type AddressInfo, type Socket } from 'node:net'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import type { Teardown } from '@hertz-node/router/test-util'

export { Default, MemoryLogger, New, start, type Teardown } from '@hertz-node/router/test-util'

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

/** A raw TCP client that records everything it receives. */
export interface RawClient {
  socket: Socket
  /** Everything received so far, latin1. */
  text(): string
  /** Resolves with the text once it contains `s` (rejects when the socket closes first or after `ms`). */
  until(s: string, ms?: number): Promise<string>
  /** Resolves when the server closed the connection. */
  closed: Promise<void>
}

/** Connects to `port`, sends `payload`, records the answer; destroyed at teardown. */
export async function raw (t: Teardown, port: number, payload: string | Buffer): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  await once(socket, 'connect')
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

/** A deferred value: `promise` settles when `resolve` is called. */
export function deferred<T = void> (): { promise: Promise<T>, resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => { resolve = r })
  return { promise, resolve }
}

/** Resolves once `cond()` holds, checking every 5 ms; rejects after `ms` (a bound, not a speed assertion). */
export async function waitFor (cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met within ' + ms + ' ms')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
