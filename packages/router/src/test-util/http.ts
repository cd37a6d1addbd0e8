import { connect, type Socket } from 'node:net'
import type { Test } from 'tap'
import type { Engine } from '../server/engine.js'
import type { Hertz } from '../server/hertz.js'
import type { Logger } from '../errors.js'
import type { Option } from '../server/options.js'
import { server } from '../server/factory.js'

export { spinScript, logged, type Running } from './child.js'

const LOCAL = server.withHostPorts('127.0.0.1:0')

/** `server.New` listening on 127.0.0.1 with an ephemeral port (later options may override). */
export function New (...opts: Option[]): Hertz {
  return server.New(LOCAL, ...opts)
}

/** `server.Default` listening on 127.0.0.1 with an ephemeral port. */
export function Default (...opts: Option[]): Hertz {
  return server.Default(LOCAL, ...opts)
}

// Shared with the other packages' tests as `@hertz-node/router/test-util` (an export resolvable only under the
// `hertz-source` condition, so never from a published build).

/** A logger that records lines instead of printing them. */
export class MemoryLogger implements Logger {
  lines: string[] = []
  info (...args: unknown[]): void { this.lines.push('info ' + args.join(' ')) }
  warn (...args: unknown[]): void { this.lines.push('warn ' + args.join(' ')) }
  error (...args: unknown[]): void { this.lines.push('error ' + args.join(' ')) }
  text (): string { return this.lines.join('\n') }
}

/** The part of a tap test the helpers that only clean up need. */
export interface Teardown {
  teardown(fn: () => unknown): void
}

/** Runs `h` on 127.0.0.1 with an ephemeral port, closes it at teardown, returns the base URL. */
export async function start (t: Teardown, h: Engine): Promise<{ url: string, port: number, logger: MemoryLogger }> {
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

/** Resolves after `ms`. */
export function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** A router whose `/busy` and `/stream` (after its first chunk) wait for `release()`; `/idle` records its peer. */
export function gatedRouter (): { h: Hertz, release: () => void, busyStarted: Promise<void>, peers: Socket[], idle: { path: string, body: string } } {
  // The exit wait time is far beyond any test: a shutdown that finishes did so because the connections closed.
  const h = New(server.withExitWaitTime(10_000))
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  let started!: () => void
  const busyStarted = new Promise<void>(resolve => { started = resolve })
  const peers: Socket[] = []
  h.GET('/idle', (_ctx, c) => {
    peers.push(c.req.socket)
    c.string(200, 'idle')
  })
  h.GET('/busy', async (_ctx, c) => {
    started()
    await gate
    c.string(200, 'busy done')
  })
  h.GET('/stream', async (_ctx, c) => {
    c.string(200, 'a')
    await c.flush()
    await gate
    c.writeString('b')
  })
  return { h, release, busyStarted, peers, idle: { path: '/idle', body: 'idle' } }
}

/** The connections a graceful shutdown meets (see {@link openShutdownScene}). */
export interface ShutdownScene {
  /** Connected, never sent a byte (a browser's spare connection). */
  fresh: Socket
  /** Finished one keep-alive request, now idle. */
  keepAlive: Socket
  /** Its request (`GET busyPath`) has been sent; the caller knows when the handler runs. */
  busy: Socket
}

/**
 * Opens the three kinds of connection a graceful shutdown must deal with on `port`: `GET idle.path` must answer a
 * body ending in `idle.body` over a kept-alive connection.
 */
export async function openShutdownScene (t: Test, port: number, idle: { path: string, body: string }, busyPath: string): Promise<ShutdownScene> {
  const fresh = await openSocket(t, port)
  const keepAlive = await openSocket(t, port)
  keepAlive.write(`GET ${idle.path} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
  const answer = await readUntil(keepAlive, x => x.endsWith(idle.body))
  t.match(answer, /\r\nConnection: keep-alive\r\n/i, 'the idle connection is kept alive')
  const busy = await openSocket(t, port)
  busy.write(`GET ${busyPath} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
  return { fresh, keepAlive, busy }
}

/**
 * Which settles first: both idle connections of `scene` closing, or `shutdown` (which cannot finish before the busy
 * request is released, unless the exit wait time ran out).
 */
function firstToSettle (scene: ShutdownScene, shutdown: Promise<unknown>): Promise<'idle closed' | 'shutdown over'> {
  return Promise.race([
    Promise.all([closed(scene.fresh), closed(scene.keepAlive)]).then(() => 'idle closed' as const),
    shutdown.then(() => 'shutdown over' as const, () => 'shutdown over' as const)
  ])
}

/**
 * Checks a graceful shutdown (`shutdown`, begun while the busy request of `scene` waits for `release`): the idle
 * connections close while that request still runs; `meanwhile` runs then; once released, the busy request gets its
 * whole answer (ending in `busy done`) with `Connection: close` and its connection closes; the shutdown finishes
 * before the exit wait time.
 */
export async function expectGracefulDrain (t: Test, scene: ShutdownScene, shutdown: Promise<unknown>,
  o: { release: () => void, logger: MemoryLogger, meanwhile?: () => Promise<void> }): Promise<void> {
  t.equal(await firstToSettle(scene, shutdown), 'idle closed', 'idle connections closed while a request was still running')
  if (o.meanwhile !== undefined) await o.meanwhile()
  o.release()
  const busy = await readUntil(scene.busy, x => x.endsWith('busy done'))
  t.match(busy, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\nConnection: close\r\n[\s\S]*\r\n\r\nbusy done$/, 'the in-flight response is complete, with Connection: close')
  await closed(scene.busy)
  await shutdown
  t.match(o.logger.text(), /Graceful shutdown finished/, 'finished before the exit wait time')
  t.notMatch(o.logger.text(), /timed out/)
}

/** The process's TCP handles (servers and connections), to assert that in-memory work opened none. */
export function tcpResources (): string[] {
  return process.getActiveResourcesInfo().filter(r => r.startsWith('TCP')).sort()
}
