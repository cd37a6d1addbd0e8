import t, { type Test } from 'tap'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import websocket from '@fastify/websocket'
import WebSocket, { WebSocketServer } from 'ws'
import { server, type Engine, type HandlerFunc, type HijackConn } from '../index.js'
import type { Scope } from '../routing/plugin.js'
import { MemoryLogger } from '@hertz-node/test-kit/router'
import { rawExchange, openSocket, readUntil } from '@hertz-node/test-kit/raw-tcp'
import { sleep } from '@hertz-node/test-kit/teardown'
import { openShutdownScene, expectGracefulDrain, gatedRouter } from '@hertz-node/test-kit/drain'
import { hertzFastify } from './index.js'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** A router at `basePath` with HTTP routes, a legacy hijack WebSocket route and a taken-over (adaptor-style) one. */
function buildRouter (basePath: string, exitWaitTime = 5000): { h: Engine, events: string[] } {
  const events: string[] = []
  const h = server.Default(server.withBasePath(basePath), server.withExitWaitTime(exitWaitTime))
  h.logger = new MemoryLogger()
  h.onShutdown.push(async () => { events.push('router onShutdown') })
  h.GET('/hello', (_ctx, c) => { c.json(200, { path: c.path(), fullPath: c.fullPath(), url: c.req.url, q: c.query('q') }) })
  h.POST('/echo', async (_ctx, c) => {
    const body = await c.body()
    c.header('X-Seen', String(body.length))
    c.data(201, c.getHeader('content-type'), body)
  })
  h.GET('/stream', async (_ctx, c) => {
    c.setContentType('text/plain')
    c.writeString('one,')
    await c.flush()
    await sleep(20)
    c.writeString('two')
  })
  h.GET('/slow', async (ctx, c) => {
    await new Promise<void>(resolve => { ctx.signal.addEventListener('abort', () => { resolve() }) })
    events.push('slow aborted: ' + String((ctx.signal.reason as { code?: string } | undefined)?.code))
    c.string(200, 'late')
  })
  h.GET('/hijack', hijackEcho(events))
  const wss = new WebSocketServer({ noServer: true })
  h.GET('/take', (_ctx, c) => {
    if (!c.isUpgrade()) { c.string(426, 'upgrade required'); return }
    c.takeResponse()
    wss.handleUpgrade(c.req, c.res.socket as Socket, c.upgradeHead ?? Buffer.alloc(0), ws => {
      ws.on('message', (d, binary) => { ws.send(binary ? d : 'take:' + d.toString()) })
    })
  })
  return { h, events }
}

/** Legacy path: the router writes the 101 head, then a `ws` socket is built on the hijacked connection. */
function hijackEcho (events: string[]): HandlerFunc {
  return (_ctx, c) => {
    const key = c.getHeader('sec-websocket-key')
    if (!c.isUpgrade() || key === '') { c.string(400, 'not a websocket handshake'); return }
    c.setStatusCode(101)
    c.response.header.set('Upgrade', 'websocket')
    c.response.header.set('Connection', 'Upgrade')
    c.response.header.set('Sec-WebSocket-Accept', createHash('sha1').update(key + GUID).digest('base64'))
    c.hijack((conn: HijackConn) => new Promise<void>(resolve => {
      const ws = new (WebSocket as any)(null, undefined, { autoPong: true }) as WebSocket
      ;(ws as any).setSocket(conn.socket, conn.head, { allowSynchronousEvents: true, maxPayload: 1 << 20, skipUTF8Validation: false })
      ws.on('message', (d, binary) => { ws.send(binary ? d : 'hijack:' + d.toString()) })
      ws.on('close', () => { events.push('hijack closed'); resolve() })
    }))
  }
}

async function listen (t: Test, app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return (app.server.address() as AddressInfo).port
}

/** Opens a WebSocket, sends `msg`, resolves with the first reply; the socket stays open. */
async function wsEcho (t: Test, url: string, msg: string): Promise<{ ws: WebSocket, reply: string }> {
  const ws = new WebSocket(url)
  t.teardown(() => { ws.terminate() })
  await once(ws, 'open')
  ws.send(msg)
  const [data] = await once(ws, 'message') as [Buffer]
  return { ws, reply: data.toString() }
}

function fastifyWsEcho (app: FastifyInstance, path = '/fws'): void {
  app.get(path, { websocket: true }, socket => {
    socket.on('message', (m: Buffer) => { socket.send('fws:' + m.toString()) })
  })
}

/** Polls `cond` until it holds (for events reported a tick after a socket closes); gives up after 2 s. */
async function until (cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(10)
}

const UPGRADE = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'

t.test('one fastify server: native routes, router HTTP + hijack + take-over, @fastify/websocket, all at once', async t => {
  for (const order of ['websocket first', 'router first']) {
    await t.test(order, async t => {
      const { h, events } = buildRouter('/hz')
      const app = Fastify()
      app.addHook('onRequest', async (req, reply) => {
        if (req.url.startsWith('/hz/hijack') && req.headers.authorization === 'Bearer no') {
          await reply.code(401).send({ error: 'fastify hook says no' })
        }
      })
      if (order === 'websocket first') {
        await app.register(websocket)
        await app.register(async scope => { fastifyWsEcho(scope); fastifyWsEcho(scope, '/hz/fws') })
        await app.register(hertzFastify, { router: h })
      } else {
        await app.register(hertzFastify, { router: h })
        await app.register(websocket)
        await app.register(async scope => { fastifyWsEcho(scope); fastifyWsEcho(scope, '/hz/fws') })
      }
      app.get('/native', async () => ({ native: true }))
      const port = await listen(t, app)
      const base = `http://127.0.0.1:${port}`

      const native = await fetch(base + '/native')
      t.same(await native.json(), { native: true })

      const hello = await fetch(base + '/hz/hello?q=1')
      t.equal(hello.status, 200)
      t.equal(hello.headers.get('server'), 'hertz', 'answered by the router')
      t.same(await hello.json(), { path: '/hz/hello', fullPath: '/hz/hello', url: '/hz/hello?q=1', q: '1' })

      // Larger than fastify's own 1 MiB body limit, which does not apply under the mount (the router's does).
      const big = Buffer.alloc(1_500_000, 7)
      const echo = await fetch(base + '/hz/echo', { method: 'POST', body: big, headers: { 'content-type': 'application/x-thing' } })
      t.equal(echo.status, 201)
      t.equal(echo.headers.get('x-seen'), '1500000', 'the router read the body fastify left alone')
      t.equal(echo.headers.get('content-type'), 'application/x-thing')
      t.ok(Buffer.from(await echo.arrayBuffer()).equals(big))

      const json = await fetch(base + '/hz/echo', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })
      t.equal(await json.text(), '{"a":1}', 'fastify\'s JSON parser does not consume the body under the mount')

      const stream = await fetch(base + '/hz/stream')
      t.equal(stream.headers.get('transfer-encoding'), 'chunked')
      t.equal(await stream.text(), 'one,two')

      // A client that goes away aborts the chain's signal.
      const ac = new AbortController()
      const gone = fetch(base + '/hz/slow', { signal: ac.signal }).catch(() => 'aborted')
      await sleep(50)
      ac.abort()
      t.equal(await gone, 'aborted')
      await until(() => events.length > 0)
      t.same(events, ['slow aborted: HERTZ_ERR_CLIENT_CLOSED'])

      const missing = await fetch(base + '/hz/nope')
      t.equal(missing.status, 404)
      t.equal(missing.headers.get('server'), 'hertz', 'the router answers its own 404s')

      const slash = await fetch(base + '/hz/hello/', { redirect: 'manual' })
      t.equal(slash.status, 301)
      t.equal(slash.headers.get('location'), '/hz/hello', 'redirects keep the mount prefix')

      const outside = await fetch(base + '/hello')
      t.equal(outside.status, 404)
      t.not(outside.headers.get('server'), 'hertz', 'fastify answers outside the mount')

      const hijack = await wsEcho(t, `ws://127.0.0.1:${port}/hz/hijack`, 'a')
      t.equal(hijack.reply, 'hijack:a')
      const take = await wsEcho(t, `ws://127.0.0.1:${port}/hz/take`, 'b')
      t.equal(take.reply, 'take:b')
      const fws = await wsEcho(t, `ws://127.0.0.1:${port}/fws`, 'c')
      t.equal(fws.reply, 'fws:c')

      // All three stay usable side by side.
      for (const [conn, prefix] of [[hijack.ws, 'hijack:'], [take.ws, 'take:'], [fws.ws, 'fws:']] as const) {
        conn.send('again')
        const [d] = await once(conn, 'message') as [Buffer]
        t.equal(d.toString(), prefix + 'again')
      }

      // fastify's hooks see router upgrades and can refuse them on the socket.
      const refused = await rawExchange(t, port, UPGRADE('/hz/hijack').replace('\r\n\r\n', '\r\nAuthorization: Bearer no\r\n\r\n'))
      t.ok(refused.closed, 'socket closed after the refusal')
      t.match(refused.text, /^HTTP\/1\.1 401 Unauthorized\r\n/)
      t.match(refused.text, /fastify hook says no/)

      // An upgrade nobody upgrades gets the router's normal answer, then the socket closes.
      const plain = await rawExchange(t, port, UPGRADE('/hz/hello'))
      t.ok(plain.closed)
      t.match(plain.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*"path":"\/hz\/hello"/)

      // Upgrades outside the mount belong to @fastify/websocket alone: one answer, never two.
      const stray = await rawExchange(t, port, UPGRADE('/nowhere'))
      t.ok(stray.closed)
      t.equal(stray.text.match(/HTTP\/1\.1 /g)?.length, 1, 'one response on the socket')
      t.match(stray.text, /^HTTP\/1\.1 404 /)
      t.not(stray.text.includes('Server: hertz'), true, 'the router never saw it')

      // Under the mount, a more specific fastify route keeps its upgrades.
      const inside = await wsEcho(t, `ws://127.0.0.1:${port}/hz/fws`, 'd')
      t.equal(inside.reply, 'fws:d')

      // Every other upgrade under the mount is the router's: its 404, then the socket closes.
      const unrouted = await rawExchange(t, port, UPGRADE('/hz/nope'))
      t.ok(unrouted.closed, 'socket closed after the router\'s answer')
      t.match(unrouted.text, /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*Server: hertz\r\n[\s\S]*Not Found$/)
      t.equal(unrouted.text.match(/HTTP\/1\.1 /g)?.length, 1, 'one response: @fastify/websocket never saw it')
    })
  }
})

t.test('with @fastify/websocket, upgrades under the mount run the router\'s middleware and 404; the path is decoded once', async t => {
  const events: string[] = []
  const h = server.Default(server.withBasePath('/hz'))
  h.logger = new MemoryLogger()
  h.use((ctx, c) => {
    if (c.getHeader('Authorization') === 'Bearer no') { c.abortWithMsg('router says no', 401); return }
    return c.next(ctx)
  })
  h.GET('/ws', hijackEcho(events))
  const app = Fastify()
  await app.register(websocket)
  await app.register(async scope => { fastifyWsEcho(scope, '/hz/fws') })
  await app.register(hertzFastify, { router: h })
  const port = await listen(t, app)

  const nope = await rawExchange(t, port, UPGRADE('/hz/nope'))
  t.ok(nope.closed)
  t.match(nope.text, /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*Server: hertz\r\n/, 'the router\'s 404')
  t.notMatch(nope.text, /101 Switching Protocols/, 'no handshake from @fastify/websocket')

  const denied = await rawExchange(t, port, UPGRADE('/hz/nope').replace('\r\n\r\n', '\r\nAuthorization: Bearer no\r\n\r\n'))
  t.ok(denied.closed)
  t.match(denied.text, /^HTTP\/1\.1 401 Unauthorized\r\n[\s\S]*router says no$/, 'the router\'s middleware answered')
  t.equal(denied.text.match(/HTTP\/1\.1 /g)?.length, 1)

  // `/hz/%2577s` decodes once to `/hz/%77s`: not the `/hz/ws` route, so the router answers 404 (and owns it).
  const twice = await rawExchange(t, port, UPGRADE('/hz/%2577s'))
  t.ok(twice.closed)
  t.match(twice.text, /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*Server: hertz\r\n/)
  t.equal(twice.text.match(/HTTP\/1\.1 /g)?.length, 1)
  // `/hz/%77s` decodes once to `/hz/ws`: the route's hijack handler takes it.
  const once_ = await wsEcho(t, `ws://127.0.0.1:${port}/hz/%77s`, 'x')
  t.equal(once_.reply, 'hijack:x')

  t.equal((await wsEcho(t, `ws://127.0.0.1:${port}/hz/fws`, 'y')).reply, 'fws:y', '@fastify/websocket keeps its route')
})

t.test('fastify close() shuts live router sockets down and runs the router hooks', async t => {
  // The router mounted at the root, next to @fastify/websocket: each upgrade still has one owner.
  const { h, events } = buildRouter('/', 200)
  const app = Fastify()
  await app.register(websocket)
  await app.register(async scope => { fastifyWsEcho(scope) })
  await app.register(hertzFastify, { router: h })
  const port = await listen(t, app)

  const clients = await Promise.all([
    wsEcho(t, `ws://127.0.0.1:${port}/hijack`, 'x'),
    wsEcho(t, `ws://127.0.0.1:${port}/take`, 'y'),
    wsEcho(t, `ws://127.0.0.1:${port}/fws`, 'z')
  ])
  const closed = clients.map(c => once(c.ws, 'close'))
  // A raw upgrade socket held by the router whose handler is still running.
  const pending = await openSocket(t, port)
  pending.write(UPGRADE('/slow'))
  await sleep(50)
  const pendingClosed = once(pending, 'close')
  const connections = await new Promise<number>((resolve, reject) => {
    app.server.getConnections((err, n) => { err === null ? resolve(n) : reject(err) })
  })
  t.equal(connections, 4)

  await app.close()
  await Promise.all([...closed, pendingClosed])
  t.ok(clients.every(c => c.ws.readyState === WebSocket.CLOSED), 'every WebSocket client saw its socket close')
  t.ok(pending.destroyed)
  t.ok(events.includes('router onShutdown'))
  await until(() => events.includes('hijack closed'))
  t.ok(events.includes('hijack closed'), 'the hijack handler settled')
  t.ok(events.includes('slow aborted: HERTZ_ERR_SERVER_CLOSED'), 'in-flight upgrade chains see their signal abort')
  t.equal(app.server.listening, false)
  t.equal(app.server.listenerCount('upgrade'), 0, 'no listener left behind')
  const left = await new Promise<number>((resolve, reject) => {
    app.server.getConnections((err, n) => { err === null ? resolve(n) : reject(err) })
  })
  t.equal(left, 0, 'no connection left behind')
})

t.test('fastify close() closes unused and idle connections at once, busy ones after their response', async t => {
  const { h, release, busyStarted, idle } = gatedRouter()
  const logger = new MemoryLogger()
  h.logger = logger
  const app = Fastify()
  await app.register(websocket)
  await app.register(async scope => { fastifyWsEcho(scope) })
  await app.register(hertzFastify, { router: h })
  const port = await listen(t, app)
  const fws = await wsEcho(t, `ws://127.0.0.1:${port}/fws`, 'z')
  const scene = await openShutdownScene(t, port, idle, '/busy')
  await busyStarted

  const wsClosed = once(fws.ws, 'close')
  await expectGracefulDrain(t, scene, app.close(), { release, logger })
  const [code] = await wsClosed as [number]
  t.not(code, 1006, 'the @fastify/websocket connection was closed by its plugin, not cut by the drain')
})

t.test('inject() reaches router routes without a port', async t => {
  const { h } = buildRouter('/api/')
  const app = Fastify()
  await app.register(hertzFastify, { router: h, prefix: '/api' })
  t.teardown(() => app.close())

  const hello = await app.inject({ method: 'GET', url: '/api/hello?q=z' })
  t.equal(hello.statusCode, 200)
  t.same(hello.json(), { path: '/api/hello', fullPath: '/api/hello', url: '/api/hello?q=z', q: 'z' })

  const echo = await app.inject({ method: 'POST', url: '/api/echo', payload: 'abc', headers: { 'content-type': 'text/plain' } })
  t.equal(echo.statusCode, 201)
  t.equal(echo.body, 'abc')
  t.equal(echo.headers['x-seen'], '3')

  const stream = await app.inject({ method: 'GET', url: '/api/stream' })
  t.equal(stream.body, 'one,two')

  const bare = await app.inject({ method: 'GET', url: '/api' })
  t.equal(bare.statusCode, 404, 'the mount point itself reaches the router')
  t.equal(bare.headers.server, 'hertz')
  const head = await app.inject({ method: 'HEAD', url: '/api/hello' })
  t.equal(head.statusCode, 404, 'the router decides HEAD itself (no HEAD route registered)')
  t.equal(head.headers.server, 'hertz')

  // The router's body limit answers, under a fastify prefix nested in another plugin.
  const small = server.New(server.withBasePath('/outer/inner'), server.withMaxRequestBodySize(1024))
  small.logger = new MemoryLogger()
  small.POST('/up', async (_ctx, c) => { c.string(200, 'got %d', (await c.body()).length) })
  const app2 = Fastify()
  await app2.register(async outer => { await outer.register(hertzFastify, { router: small, prefix: '/inner' }) }, { prefix: '/outer' })
  t.teardown(() => app2.close())
  t.equal((await app2.inject({ method: 'POST', url: '/outer/inner/up', payload: Buffer.alloc(1000) })).body, 'got 1000')
  const tooBig = await app2.inject({ method: 'POST', url: '/outer/inner/up', payload: Buffer.alloc(2000) })
  t.equal(tooBig.statusCode, 413)
  t.equal(tooBig.body, 'Request Entity Too Large')
})

t.test('router plugins load before fastify is ready; a failing one aborts fastify\'s start', async t => {
  const order: string[] = []
  const h = server.New(server.withBasePath('/r'))
  h.logger = new MemoryLogger()
  h.register(async (scope: Scope) => {
    await sleep(10)
    order.push('router plugin')
    scope.GET('/p', (_ctx, c) => { c.string(200, 'from plugin') })
  }, { prefix: '/plug' })
  h.onRun.push(() => { order.push('router onRun') })
  const app = Fastify()
  await app.register(hertzFastify, { router: h })
  t.teardown(() => app.close())
  t.same(order, ['router plugin', 'router onRun'])
  t.equal((await app.inject('/r/plug/p')).body, 'from plugin')

  const bad = server.New()
  bad.logger = new MemoryLogger()
  bad.register(function broken () { throw new Error('nope') })
  const app2 = Fastify()
  app2.register(hertzFastify, { router: bad })
  await t.rejects(Promise.resolve(app2.ready()), { code: 'HERTZ_ERR_PLUGIN_FAILED' })
  await app2.close()
})

t.test('mount options are checked', async t => {
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['no router', async () => {
      const app = Fastify()
      t.teardown(() => app.close())
      await app.register(hertzFastify, {} as never)
    }],
    ['prefix outside the base path', async () => {
      const app = Fastify()
      t.teardown(() => app.close())
      await app.register(hertzFastify, { router: server.New(), prefix: '/hz' })
    }]
  ]
  for (const [label, run] of cases) {
    await t.rejects(run(), { code: 'HERTZ_ERR_BAD_OPTION' }, label)
  }

  // One router, one host.
  const h = server.New()
  h.logger = new MemoryLogger()
  const first = Fastify()
  await first.register(hertzFastify, { router: h })
  t.teardown(() => first.close())
  const second = Fastify()
  t.teardown(() => second.close().catch(() => {}))
  await t.rejects(Promise.resolve(second.register(hertzFastify, { router: h })), { code: 'HERTZ_ERR_ALREADY_RUNNING' })
})

t.test('without other upgrade owners, upgrades outside the mount get fastify\'s answer', async t => {
  const { h } = buildRouter('/hz')
  const app = Fastify()
  await app.register(hertzFastify, { router: h })
  app.get('/native', async () => 'native answer')
  const port = await listen(t, app)
  const r = await rawExchange(t, port, UPGRADE('/native'))
  t.ok(r.closed)
  t.match(r.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*native answer$/)
  const s = await openSocket(t, port)
  s.write(UPGRADE('/hz/hijack'))
  t.match(await readUntil(s, x => x.includes('\r\n\r\n')), /^HTTP\/1\.1 101 Switching Protocols\r\n/)

  // A malformed path belongs to nobody's mount: fastify answers it 400 and the socket closes.
  const bad = await rawExchange(t, port, UPGRADE('/hz/%E0%A4%A'))
  t.ok(bad.closed)
  t.match(bad.text, /^HTTP\/1\.1 400 /)
})

t.test('a plain ws server attached to fastify\'s server later keeps every upgrade outside the router', async t => {
  const { h } = buildRouter('/hz')
  const app = Fastify()
  await app.register(hertzFastify, { router: h })
  const port = await listen(t, app)
  // The #414 shape: a library that answers every upgrade on the server, added after listen.
  const wss = new WebSocketServer({ server: app.server })
  wss.on('connection', ws => { ws.on('message', d => { ws.send('raw:' + d.toString()) }) })
  await sleep(0)
  t.equal((await wsEcho(t, `ws://127.0.0.1:${port}/anything`, 'e')).reply, 'raw:e')
  t.equal((await wsEcho(t, `ws://127.0.0.1:${port}/hz/hijack`, 'f')).reply, 'hijack:f')
  const routed = await rawExchange(t, port, UPGRADE('/hz/hello'))
  t.match(routed.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Server: hertz/, 'a router route answers')
  t.equal(routed.text.match(/HTTP\/1\.1 /g)?.length, 1, 'and only the router')
  const unrouted = await rawExchange(t, port, UPGRADE('/hz/unrouted'))
  t.ok(unrouted.closed)
  t.match(unrouted.text, /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*Server: hertz/, 'a path under the mount is the router\'s even without a route')
  t.equal(unrouted.text.match(/HTTP\/1\.1 /g)?.length, 1, 'and only the router\'s')

  for (const client of wss.clients) client.terminate()
  await new Promise<void>(resolve => { wss.close(() => { resolve() }) })
  t.equal(app.server.listenerCount('upgrade'), 1, 'ws removed its own listener through the wrapper')
})

t.test('unmounting hands a still-attached listener back unwrapped', async t => {
  const { h } = buildRouter('/hz')
  const app = Fastify()
  const raw = (): void => {}
  app.server.on('upgrade', raw)
  await app.register(hertzFastify, { router: h })
  await app.ready()
  t.not(app.server.rawListeners('upgrade').includes(raw), 'wrapped while the router is mounted')
  t.ok(app.server.listeners('upgrade').includes(raw), 'listeners() still reports it')
  await app.close()
  t.same(app.server.rawListeners('upgrade'), [raw])
})

t.test('an upgrade pipelined behind a keep-alive request under the mount: answered after it, and close() completes', async t => {
  for (const withWebsocket of [false, true]) {
    await t.test(withWebsocket ? 'next to @fastify/websocket' : 'router alone', async t => {
      const { h, events } = buildRouter('/hz', 1000)
      const app = Fastify()
      if (withWebsocket) await app.register(websocket)
      await app.register(hertzFastify, { router: h })
      const port = await listen(t, app)

      const ok = await openSocket(t, port)
      ok.write('GET /hz/hello HTTP/1.1\r\nHost: localhost\r\n\r\n' + UPGRADE('/hz/hijack'))
      const text = await readUntil(ok, s => /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n[^]*\r\n\r\n/.test(s))
      t.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*"path":"\/hz\/hello"/, 'the keep-alive answer first')
      t.ok(text.indexOf('HTTP/1.1 101') > text.indexOf('"/hz/hello"'), 'then the 101')

      const missing = await openSocket(t, port)
      missing.write('GET /hz/hello HTTP/1.1\r\nHost: localhost\r\n\r\n' + UPGRADE('/hz/nope'))
      const closed = once(missing, 'close')
      const answer = await readUntil(missing, s => /HTTP\/1\.1 404 [^]*\r\n\r\n/.test(s))
      t.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*HTTP\/1\.1 404 Not Found\r\n/, 'the 200, then the router\'s 404')
      await closed

      // The hijacked connection is still open: close() runs the router's shutdown and must finish.
      const result = await Promise.race([app.close().then(() => 'closed'), sleep(5000).then(() => 'hung')])
      t.equal(result, 'closed', 'app.close() completes')
      await until(() => events.includes('hijack closed'))
      t.ok(events.includes('hijack closed'), 'the hijacked connection was closed by the shutdown')
    })
  }
})
