import t, { type Test } from 'tap'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'
import { isSocketShuttingDown, onSocketShutdown, server, type HijackHandler } from '../index.js'
import { start, New, MemoryLogger } from '@hertz-node/test-kit/router'
import { openSocket, readUntil, closed } from '@hertz-node/test-kit/raw-tcp'
import { sleep } from '@hertz-node/test-kit/teardown'
import type { Hertz } from '../server/hertz.js'

const UPGRADE = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: raw\r\n\r\n`

function hijackRoute (h: Hertz, path: string, handler: HijackHandler): void {
  h.GET(path, (_ctx, c) => {
    c.setStatusCode(101)
    c.header('Upgrade', 'raw')
    c.header('Connection', 'Upgrade')
    c.hijack(handler)
  })
}

/** Reads until the peer ends the stream (or the conn fails): what a protocol loop does. */
async function drainConn (conn: Parameters<HijackHandler>[0]): Promise<void> {
  try {
    while (await conn.read() !== null) { /* discard */ }
  } catch {
    // closed under the reader by the shutdown
  }
}

async function upgraded (t: Test, port: number, path: string): Promise<Socket> {
  const s = await openSocket(t, port)
  s.write(UPGRADE(path))
  await readUntil(s, x => x.includes('\r\n\r\n'))
  return s
}

t.test('graceful shutdown runs the handlers of hijacked sockets concurrently and closes each once it settles', async t => {
  const h = New(server.withExitWaitTime(10_000))
  let started = 0
  const order: string[] = []
  h.onShutdown.push(() => { order.push('hook') })
  let bothStarted!: () => void
  const both = new Promise<void>(resolve => { bothStarted = resolve })
  hijackRoute(h, '/raw', async conn => {
    onSocketShutdown(conn.socket, async () => {
      order.push('socket')
      // Each handler waits for the other to have started: only a concurrent run gets past this.
      if (++started === 2) bothStarted()
      await both
      await conn.write('going away')
    })
    await drainConn(conn)
  })
  const { port, logger } = await start(t, h)
  const a = await upgraded(t, port, '/raw')
  const b = await upgraded(t, port, '/raw')
  await h.shutdown()
  for (const s of [a, b]) {
    t.match(await readUntil(s, x => x.endsWith('going away')), /going away$/)
    await closed(s)
  }
  t.equal(started, 2)
  t.same(order, ['hook', 'socket', 'socket'], 'onShutdown hooks start first: an application\'s own goodbye wins')
  t.match(logger.text(), /Graceful shutdown finished/, 'the sockets closed before the exit wait time was over')
  t.notMatch(logger.text(), /timed out|error/)
})

t.test('taken-over sockets: sync, throwing and never-settling handlers', async t => {
  const h = New(server.withExitWaitTime(300))
  h.GET('/take/:mode', (_ctx, c) => {
    c.takeResponse()
    const socket = c.res.socket as Socket
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: raw\r\nConnection: Upgrade\r\n\r\n')
    const mode = c.param('mode')
    onSocketShutdown(socket, () => {
      if (mode === 'throw') throw new Error('handler broke')
      socket.write('bye')
      if (mode === 'hang') return new Promise<void>(() => {})
    })
  })
  const { port, logger } = await start(t, h)
  const sync = await upgraded(t, port, '/take/sync')
  const thrower = await upgraded(t, port, '/take/throw')
  const hang = await upgraded(t, port, '/take/hang')
  let hangClosedAt = 0
  const hangClosed = closed(hang).then(() => { hangClosedAt = Date.now() })
  const begun = Date.now()
  await h.shutdown()
  t.match(await readUntil(sync, x => x.endsWith('bye')), /bye$/)
  await closed(sync)
  await closed(thrower)
  t.match(logger.text(), /socket shutdown handler error: .*handler broke/)
  t.match(await readUntil(hang, x => x.endsWith('bye')), /bye$/)
  await hangClosed
  t.ok(hangClosedAt - begun >= 250, 'a handler that never settles keeps its socket until the exit wait time')
  t.match(logger.text(), /timed out/)
})

t.test('a socket taken over while the engine shuts down gets its handler run at once', async t => {
  const h = New(server.withExitWaitTime(10_000))
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  h.GET('/late', async (_ctx, c) => {
    await gate
    c.setStatusCode(101)
    c.hijack(async conn => {
      onSocketShutdown(conn.socket, () => conn.write('late bye'))
      await drainConn(conn)
    })
  })
  const { port, logger } = await start(t, h)
  const s = await openSocket(t, port)
  s.write(UPGRADE('/late'))
  await sleep(30)
  const down = h.shutdown()
  await sleep(30)
  release()
  const text = await readUntil(s, x => x.endsWith('late bye'))
  t.match(text, /^HTTP\/1\.1 101 /)
  await closed(s)
  await down
  t.match(logger.text(), /Graceful shutdown finished/)
})

t.test('an upgrade whose head completes after the goodbyes went out is marked and gets its handler run at once', async t => {
  const h = New(server.withExitWaitTime(10_000))
  const marked: boolean[] = []
  h.GET('/late', (_ctx, c) => {
    c.setStatusCode(101)
    c.hijack(async conn => {
      marked.push(isSocketShuttingDown(conn.socket))
      onSocketShutdown(conn.socket, () => conn.write('late bye'))
      await drainConn(conn)
    })
  })
  const { port, logger } = await start(t, h)
  const peers: Socket[] = []
  h.server?.on('connection', (p: Socket) => { peers.push(p) })
  const s = await openSocket(t, port)
  const request = UPGRADE('/late')
  const cut = request.indexOf('Upgrade:')
  s.write(request.slice(0, cut))
  // Part of the head has been read: the shutdown leaves the connection to finish its request.
  while (peers[0] === undefined || peers[0].bytesRead === 0) await sleep(5)
  const down = h.shutdown()
  // The goodbye loop runs once the hooks have started; let it run before the head completes.
  await sleep(0)
  s.write(request.slice(cut))
  const text = await readUntil(s, x => x.endsWith('late bye'))
  t.match(text, /^HTTP\/1\.1 101 /)
  await closed(s)
  await down
  t.same(marked, [true], 'isSocketShuttingDown tells the protocol')
  t.match(logger.text(), /Graceful shutdown finished/, 'the shutdown did not wait for its exit wait time')
})

t.test('isSocketShuttingDown is false for a socket no engine shuts down', async t => {
  const h = New(server.withExitWaitTime(10_000))
  const marked: boolean[] = []
  hijackRoute(h, '/raw', async conn => {
    marked.push(isSocketShuttingDown(conn.socket))
    await drainConn(conn)
  })
  const { port } = await start(t, h)
  const s = await upgraded(t, port, '/raw')
  t.same(marked, [false])
  t.equal(isSocketShuttingDown(null), false)
  t.equal(isSocketShuttingDown(s), false)
  s.destroy()
})

t.test('unmount runs the handlers of a mounted engine; close() does not', async t => {
  const h = New(server.withExitWaitTime(10_000))
  h.logger = new MemoryLogger()
  const ran: string[] = []
  hijackRoute(h, '/raw', async conn => {
    onSocketShutdown(conn.socket, async () => { ran.push('mounted'); await conn.write('unmounted') })
    await drainConn(conn)
  })
  await h.mount()
  const bare: Server = createServer()
  bare.on('upgrade', (req, socket, head) => { void h.handleUpgrade(req, socket, head) })
  bare.listen(0, '127.0.0.1')
  await once(bare, 'listening')
  t.teardown(() => new Promise<void>(resolve => { bare.closeAllConnections(); bare.close(() => { resolve() }) }))
  const s = await upgraded(t, (bare.address() as AddressInfo).port, '/raw')
  await h.unmount()
  t.match(await readUntil(s, x => x.endsWith('unmounted')), /unmounted$/)
  await closed(s)
  t.same(ran, ['mounted'])

  const forced = New()
  hijackRoute(forced, '/raw', async conn => {
    onSocketShutdown(conn.socket, () => { ran.push('forced') })
    await drainConn(conn)
  })
  const f = await start(t, forced)
  const fs = await upgraded(t, f.port, '/raw')
  await forced.close()
  await closed(fs)
  t.same(ran, ['mounted'], 'close() is not graceful: no goodbye')
})

t.test('the handler lives under a registry symbol, so another copy of the router finds it', async t => {
  const h = New(server.withExitWaitTime(10_000))
  hijackRoute(h, '/raw', async conn => {
    // What a second copy of this module does: the same Symbol.for key, a plain function as the value.
    ;(conn.socket as unknown as Record<symbol, unknown>)[Symbol.for('hertz-node.socket-shutdown')] = () => conn.write('other copy')
    await drainConn(conn)
  })
  const { port } = await start(t, h)
  const s = await upgraded(t, port, '/raw')
  await h.shutdown()
  t.match(await readUntil(s, x => x.endsWith('other copy')), /other copy$/)
  await closed(s)
  t.throws(() => { onSocketShutdown(s, 'nope' as unknown as () => void) }, { code: 'HERTZ_ERR_BAD_HANDLER' })
})
