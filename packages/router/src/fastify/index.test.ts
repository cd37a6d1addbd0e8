import t from 'tap'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import websocket from '@fastify/websocket'
import WebSocket, { WebSocketServer } from 'ws'
import { server, type Engine, type HandlerFunc, type HijackConn } from '../index.js'
import type { Scope } from '../plugin.js'
import { MemoryLogger, rawExchange, openSocket, readUntil, sleep } from '../test-util/http.js'
import { hertzFastify } from './index.js'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** A router at `basePath` with HTTP routes, a legacy hijack WebSocket route and a taken-over (adaptor-style) one. */
function buildRouter (basePath: string): { h: Engine, events: string[] } {
  const events: string[] = []
  const h = server.Default(server.withBasePath(basePath))
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

async function listen (t: Tap.Test, app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return (app.server.address() as AddressInfo).port
}

/** Opens a WebSocket, sends `msg`, resolves with the first reply; the socket stays open. */
async function wsEcho (t: Tap.Test, url: string, msg: string): Promise<{ ws: WebSocket, reply: string }> {
  const ws = new WebSocket(url)
  t.teardown(() => { ws.terminate() })
  await once(ws, 'open')
  ws.send(msg)
  const [data] = await once(ws, 'message') as [Buffer]
  return { ws, reply: data.toString() }
}

function fastifyWsEcho (app: FastifyInstance): void {
  app.get('/fws', { websocket: true }, socket => {
    socket.on('message', (m: Buffer) => { socket.send('fws:' + m.toString()) })
  })
}

const UPGRADE = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'

t.test('one fastify server: native routes, router HTTP + hijack + take-over, @fastify/websocket, all at once', async t => {
  for (const order of ['websocket first', 'router first']) {
    await t.test(order, async t => {
      const { h } = buildRouter('/hz')
      const app = Fastify()
      app.addHook('onRequest', async (req, reply) => {
        if (req.url.startsWith('/hz/hijack') && req.headers.authorization === 'Bearer no') {
          await reply.code(401).send({ error: 'fastify hook says no' })
        }
      })
      if (order === 'websocket first') {
        await app.register(websocket)
        await app.register(async scope => { fastifyWsEcho(scope) })
        await app.register(hertzFastify, { router: h })
      } else {
        await app.register(hertzFastify, { router: h })
        await app.register(websocket)
        await app.register(async scope => { fastifyWsEcho(scope) })
      }
      app.get('/native', async () => ({ native: true }))
      const port = await listen(t, app)
      const base = `http://127.0.0.1:${port}`

      t.equal(app.server.listenerCount('upgrade'), 1, 'exactly one upgrade listener on the server')

      const native = await fetch(base + '/native')
      t.same(await native.json(), { native: true })

      const hello = await fetch(base + '/hz/hello?q=1')
      t.equal(hello.status, 200)
      t.equal(hello.headers.get('server'), 'hertz', 'answered by the router')
      t.same(await hello.json(), { path: '/hz/hello', fullPath: '/hz/hello', url: '/hz/hello?q=1', q: '1' })

      const big = Buffer.alloc(200_000, 7)
      const echo = await fetch(base + '/hz/echo', { method: 'POST', body: big, headers: { 'content-type': 'application/x-thing' } })
      t.equal(echo.status, 201)
      t.equal(echo.headers.get('x-seen'), '200000', 'the router read the body fastify left alone')
      t.equal(echo.headers.get('content-type'), 'application/x-thing')
      t.ok(Buffer.from(await echo.arrayBuffer()).equals(big))

      const json = await fetch(base + '/hz/echo', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })
      t.equal(await json.text(), '{"a":1}', 'fastify\'s JSON parser does not consume the body under the mount')

      const stream = await fetch(base + '/hz/stream')
      t.equal(stream.headers.get('transfer-encoding'), 'chunked')
      t.equal(await stream.text(), 'one,two')

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
    })
  }
})

t.test('fastify close() shuts live router sockets down and runs the router hooks', async t => {
  const { h, events } = buildRouter('/')
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
  t.ok(events.includes('hijack closed'), 'the hijack handler settled')
  t.ok(events.includes('slow aborted: HERTZ_ERR_SERVER_CLOSED'), 'in-flight upgrade chains see their signal abort')
  t.equal(app.server.listening, false)
  t.equal(app.server.listenerCount('upgrade'), 0, 'no listener left behind')
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
  await t.rejects(app2.ready(), { code: 'HERTZ_ERR_PLUGIN_FAILED' })
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
})
