import t from 'tap'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { server, HertzError } from '../index.js'
import { start, New, MemoryLogger } from '@hertz-node/test-kit/router'
import { rawExchange, openSocket, readUntil } from '@hertz-node/test-kit/raw-tcp'
import { sleep, waitFor } from '@hertz-node/test-kit/teardown'

const UPGRADE = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n${extra}`

t.test('upgrade requests go through the same lookup and middleware', async t => {
  const h = New()
  h.use((ctx, c) => {
    if (c.getHeader('authorization') === '' && c.path().startsWith('/private')) {
      c.abortWithMsg('who are you', 401)
      return
    }
    return c.next(ctx)
  })
  h.GET('/private/ws', (_ctx, c) => { c.string(200, 'not reached') })
  h.GET('/plain', (_ctx, c) => { t.ok(c.isUpgrade()); c.string(200, 'no upgrade here') })
  const { port } = await start(t, h)

  let r = await rawExchange(t, port, UPGRADE('/private/ws'))
  t.ok(r.closed, 'socket closed after the answer')
  t.match(r.text, /^HTTP\/1\.1 401 Unauthorized\r\n/)
  t.match(r.text, /\r\nConnection: close\r\n/i)
  t.match(r.text, /\r\n\r\nwho are you$/)

  r = await rawExchange(t, port, UPGRADE('/plain'))
  t.ok(r.closed)
  t.match(r.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nno upgrade here$/)

  r = await rawExchange(t, port, UPGRADE('/nowhere'))
  t.ok(r.closed)
  t.match(r.text, /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*Not Found$/)
})

t.test('upgradeHead keeps the bytes sent past the headers; takeResponse hands over the socket', async t => {
  const h = New()
  h.GET('/take', (_ctx, c) => {
    t.equal(c.upgradeHead?.toString(), 'FIRST-FRAME')
    c.takeResponse()
    const socket = c.res.socket
    t.ok(socket)
    socket?.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n')
    socket?.on('data', (d: Buffer) => { socket.write('echo:' + d.toString()) })
    c.string(500, 'never written')
  })
  const { port } = await start(t, h)
  const s = await openSocket(t, port)
  s.write(UPGRADE('/take', 'FIRST-FRAME'))
  const head = await readUntil(s, x => x.includes('\r\n\r\n'))
  t.match(head, /^HTTP\/1\.1 101 Switching Protocols/)
  s.write('ping')
  const echoed = await readUntil(s, x => x.includes('echo:ping'))
  t.match(echoed, /echo:ping/)
  t.notOk(s.destroyed, 'the router did not close a taken socket')
})

t.test('a response written through c.res on an upgrade socket reaches the client, then the socket ends', async t => {
  const h = New()
  h.GET('/direct', (_ctx, c) => {
    c.res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
    setTimeout(() => { c.res.end('upgrade required') }, 10)
  })
  const { port } = await start(t, h)
  const r = await rawExchange(t, port, UPGRADE('/direct'))
  t.ok(r.closed)
  t.match(r.text, /^HTTP\/1\.1 426 Upgrade Required\r\n/)
  t.match(r.text, /upgrade required/)
})

t.test('handleRequest and handleUpgrade serve a bare node:http server', async t => {
  const h = New()
  h.GET('/hello', (_ctx, c) => { c.json(200, { upgrade: c.isUpgrade() }) })
  const bare: Server = createServer((req, res) => { void h.handleRequest(req, res) })
  bare.on('upgrade', (req, socket, head) => { void h.handleUpgrade(req, socket, head) })
  bare.listen(0, '127.0.0.1')
  await once(bare, 'listening')
  t.teardown(() => new Promise<void>(resolve => { bare.closeAllConnections(); bare.close(() => { resolve() }) }))
  const port = (bare.address() as AddressInfo).port
  const r = await fetch(`http://127.0.0.1:${port}/hello`)
  t.same(await r.json(), { upgrade: false })
  const u = await rawExchange(t, port, UPGRADE('/hello'))
  t.ok(u.closed)
  t.match(u.text, /\{"upgrade":true\}$/)

  const done = h.handleRequest.length
  t.equal(done, 2, 'handleRequest(req, res)')
})

t.test('handleUpgrade resolves once the hijack handler has settled, after a synchronous or an asynchronous chain', async t => {
  const h = New()
  const events: string[] = []
  let release!: () => void
  const held = new Promise<void>(resolve => { release = resolve })
  const hijacked = (name: string) => async (conn: { write: (d: string) => Promise<void> }): Promise<void> => {
    await conn.write('ready')
    await held
    events.push(`${name} settled`)
  }
  h.GET('/sync', (_ctx, c) => {
    c.setStatusCode(101)
    c.header('Upgrade', 'test')
    c.header('Connection', 'Upgrade')
    c.hijack(hijacked('sync'))
  })
  h.GET('/async', async (_ctx, c) => {
    await sleep(1)
    c.setStatusCode(101)
    c.header('Upgrade', 'test')
    c.header('Connection', 'Upgrade')
    c.hijack(hijacked('async'))
  })
  const bare: Server = createServer()
  const served: Array<Promise<void>> = []
  bare.on('upgrade', (req, socket, head) => {
    served.push(h.handleUpgrade(req, socket, head).then(() => { events.push(`${req.url ?? ''} served`) }))
  })
  bare.listen(0, '127.0.0.1')
  await once(bare, 'listening')
  t.teardown(() => new Promise<void>(resolve => { bare.closeAllConnections(); bare.close(() => { resolve() }) }))
  const port = (bare.address() as AddressInfo).port
  for (const path of ['/sync', '/async']) {
    const s = await openSocket(t, port)
    s.write(UPGRADE(path))
    await readUntil(s, x => x.includes('ready'))
  }
  await sleep(20)
  t.same(events, [], 'neither promise settled while its handler runs')
  release()
  await Promise.all(served)
  t.same(events.slice().sort(), ['/async served', '/sync served', 'async settled', 'sync settled'])
  t.ok(events.indexOf('sync settled') < events.indexOf('/sync served'), 'the synchronous chain\'s promise waited for its handler')
  t.ok(events.indexOf('async settled') < events.indexOf('/async served'), 'so did the asynchronous chain\'s')
})

t.test('run, address, close; run twice and shutdown before run fail with codes', async t => {
  const h = New()
  h.logger = new MemoryLogger()
  await t.rejects(h.shutdown(), { code: 'HERTZ_ERR_NOT_RUNNING' })
  t.throws(() => h.address(), { code: 'HERTZ_ERR_NOT_RUNNING' })
  h.GET('/', (_ctx, c) => { c.string(200, 'up') })
  await h.run()
  t.teardown(() => h.close())
  const a = h.address()
  t.equal(a.address, '127.0.0.1')
  t.ok(a.port > 0)
  t.equal(await (await fetch(`http://127.0.0.1:${a.port}/`)).text(), 'up')
  await t.rejects(h.run(), { code: 'HERTZ_ERR_ALREADY_RUNNING' })
  await h.close()
  await t.rejects(fetch(`http://127.0.0.1:${a.port}/`))
})

t.test('listen errors are typed', async t => {
  const a = New()
  a.logger = new MemoryLogger()
  await a.run()
  t.teardown(() => a.close())
  const b = server.New(server.withHostPorts(`127.0.0.1:${a.address().port}`))
  b.logger = new MemoryLogger()
  const err = await b.run().then(() => null, (e: unknown) => e)
  t.type(err, HertzError)
  t.equal((err as HertzError).code, 'HERTZ_ERR_LISTEN')
  t.match(((err as HertzError).cause as NodeJS.ErrnoException).code, 'EADDRINUSE')
})

t.test('ready() waits for the start in progress, shares its failure, and needs a start', async t => {
  const h = New(server.withHostPorts('127.0.0.1:0'))
  h.logger = new MemoryLogger()
  await t.rejects(h.ready(), { code: 'HERTZ_ERR_NOT_RUNNING' }, 'nothing to wait for before a start')
  let release = (): void => {}
  h.onRun.push(() => new Promise<void>(resolve => { release = resolve }))
  const running = h.run()
  t.teardown(() => h.close())
  let readyDone = false
  const ready = h.ready().then(() => { readyDone = true })
  await sleep(20)
  t.notOk(readyDone, 'still starting')
  release()
  await ready
  t.ok(h.isRunning(), 'resolved once the start finished')
  await running
  await h.ready()
  t.pass('at once once running')

  const bad = New()
  bad.logger = new MemoryLogger()
  bad.onRun.push(async () => { await sleep(5); throw new Error('not today') })
  const mounting = bad.mount()
  await t.rejects(bad.ready(), { message: 'not today' }, 'the start\'s own error')
  await t.rejects(mounting, { message: 'not today' })
  await t.rejects(bad.ready(), { code: 'HERTZ_ERR_NOT_RUNNING' }, 'back at the beginning')
})

t.test('onRun hooks run in order before listening; an error aborts the start', async t => {
  const order: string[] = []
  const h = New()
  h.logger = new MemoryLogger()
  h.onRun.push(async () => { order.push('one') }, () => { order.push('two') })
  await h.run()
  t.teardown(() => h.close())
  t.same(order, ['one', 'two'])

  const bad = New()
  bad.logger = new MemoryLogger()
  bad.onRun.push(() => { throw new Error('not today') })
  await t.rejects(bad.run(), { message: 'not today' })
  t.throws(() => bad.address(), { code: 'HERTZ_ERR_NOT_RUNNING' }, 'never listened')
})

t.test('shutdown: stops accepting, closes idle keep-alive sockets, hooks run concurrently', async t => {
  const h = New(server.withExitWaitTime(3000))
  h.GET('/', (_ctx, c) => { c.string(200, 'x') })
  const { port, logger } = await start(t, h)
  const idle = await openSocket(t, port)
  idle.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  await readUntil(idle, x => x.endsWith('\r\n\r\nx'))
  let aStarted!: () => void
  let bStarted!: () => void
  const a = new Promise<void>(resolve => { aStarted = resolve })
  const b = new Promise<void>(resolve => { bStarted = resolve })
  const ran: string[] = []
  // Each hook waits for the other to have started: only a concurrent run finishes before the exit wait time.
  h.onShutdown.push(async () => { aStarted(); await b; ran.push('a') }, async () => { bStarted(); await a; ran.push('b') })
  const idleClosed = new Promise<void>(resolve => { idle.once('close', () => { resolve() }) })
  await h.shutdown()
  await idleClosed
  t.same(ran.sort(), ['a', 'b'])
  t.match(logger.text(), /Graceful shutdown finished/)
  t.notOk(h.isRunning())
  await t.rejects(fetch(`http://127.0.0.1:${port}/`), 'no longer accepting')
  await t.rejects(h.shutdown(), { code: 'HERTZ_ERR_NOT_RUNNING' })
})

t.test('shutdown: after the exit wait time hooks are aborted and open sockets closed', async t => {
  const h = New(server.withExitWaitTime(200))
  let hookSignal: AbortSignal | null = null
  h.onShutdown.push(async ctx => {
    hookSignal = ctx.signal
    await new Promise<void>(resolve => { ctx.signal.addEventListener('abort', () => { resolve() }) })
  })
  let handlerSignal: AbortSignal | null = null
  h.GET('/hang', async (ctx, c) => {
    handlerSignal = ctx.signal
    await new Promise<void>(resolve => { ctx.signal.addEventListener('abort', () => { resolve() }) })
    c.string(200, 'late')
  })
  h.GET('/up', (_ctx, c) => { c.takeResponse() })
  const { port, logger } = await start(t, h)
  const hung = await openSocket(t, port)
  hung.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n')
  const upgraded = await openSocket(t, port)
  upgraded.write('GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n')
  await sleep(30)
  const closedBoth = Promise.all([hung, upgraded].map(s => new Promise<void>(resolve => { s.once('close', () => { resolve() }) })))
  await h.shutdown()
  await closedBoth
  t.ok((hookSignal as AbortSignal | null)?.aborted, 'hook context aborted at the exit wait time')
  t.ok((handlerSignal as AbortSignal | null)?.aborted, 'handler signal aborted when the server closed')
  t.match(logger.text(), /timed out/)
})

t.test('mount / unmount: hooks without listening; unmount waits for in-flight work', async t => {
  const h = New(server.withExitWaitTime(2000))
  h.logger = new MemoryLogger()
  const events: string[] = []
  h.onRun.push(() => { events.push('run hook') })
  h.onShutdown.push(() => { events.push('shutdown hook') })
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  h.GET('/slow', async (_ctx, c) => { await gate; c.string(200, 'done') })
  await h.mount()
  t.ok(h.isRunning())
  const bare: Server = createServer((req, res) => { void h.handleRequest(req, res) })
  bare.listen(0, '127.0.0.1')
  await once(bare, 'listening')
  t.teardown(() => new Promise<void>(resolve => { bare.closeAllConnections(); bare.close(() => { resolve() }) }))
  const pending = fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/slow`)
  // In flight for certain before the unmount (a fixed sleep was not enough on a loaded machine).
  await waitFor(() => h.activeRequests === 1)
  let unmounted = false
  const u = h.unmount().then(() => { unmounted = true })
  await sleep(30)
  t.notOk(unmounted, 'still waiting for the in-flight request')
  t.ok(h.isClosing())
  release()
  const r = await pending
  t.equal(r.headers.get('connection'), 'close')
  t.equal(await r.text(), 'done')
  await u
  t.same(events, ['run hook', 'shutdown hook'])
  await t.rejects(h.unmount(), { code: 'HERTZ_ERR_NOT_RUNNING' })
})
