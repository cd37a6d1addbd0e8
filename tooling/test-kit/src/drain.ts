/**
 * Graceful-shutdown scenes for router tests: a router whose requests wait for the test, the three kinds of
 * connection a shutdown meets, and the checks every drain test makes.
 */
import type { Socket } from 'node:net'
import type { Test } from 'tap'
import { server, type Hertz } from '@hertz-node/router'
import { New, type MemoryLogger } from './router.js'
import { closed, openSocket, readUntil } from './raw-tcp.js'

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
