import { connect, type Socket } from 'node:net'
import type { Test } from 'tap'
import type { Engine } from '../engine.js'
import type { Hertz } from '../hertz.js'
import type { Logger } from '../types.js'
import type { Option } from '../options.js'
import { server } from '../server.js'

const LOCAL = server.withHostPorts('127.0.0.1:0')

/** `server.New` listening on 127.0.0.1 with an ephemeral port (later options may override). */
export function New (...opts: Option[]): Hertz {
  return server.New(LOCAL, ...opts)
}

/** `server.Default` listening on 127.0.0.1 with an ephemeral port. */
export function Default (...opts: Option[]): Hertz {
  return server.Default(LOCAL, ...opts)
}

/** A logger that records lines instead of printing them. */
export class MemoryLogger implements Logger {
  lines: string[] = []
  info (...args: unknown[]): void { this.lines.push('info ' + args.join(' ')) }
  warn (...args: unknown[]): void { this.lines.push('warn ' + args.join(' ')) }
  error (...args: unknown[]): void { this.lines.push('error ' + args.join(' ')) }
  text (): string { return this.lines.join('\n') }
}

/** Runs `h` on 127.0.0.1 with an ephemeral port, closes it at teardown, returns the base URL. */
export async function start (t: Test, h: Engine): Promise<{ url: string, port: number, logger: MemoryLogger }> {
  const logger = new MemoryLogger()
  h.logger = logger
  await h.run()
  t.teardown(() => h.close())
  const port = h.address().port
  return { url: `http://127.0.0.1:${port}`, port, logger }
}

/** Opens a raw TCP connection to the server; closed at teardown. */
export function openSocket (t: Test, port: number): Promise<Socket> {
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
export async function rawExchange (t: Test, port: number, data: string | Buffer, ms = 3000): Promise<{ text: string, closed: boolean }> {
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

/** Resolves after `ms`. */
export function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}
