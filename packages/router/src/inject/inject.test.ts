import t from 'tap'
import { Readable } from 'node:stream'
import { server, HertzError, HertzErrorCode, recovery } from '../index.js'
import { MemoryLogger, New } from '@hertz-node/test-kit/router'
import { sleep } from '@hertz-node/test-kit/teardown'
import { tcpResources } from '@hertz-node/test-kit/raw-tcp'

t.test('inject runs the whole chain in memory: middleware, params, query, cookies, payload, json()', async t => {
  const before = tcpResources()
  const h = server.New()
  h.use(async (ctx, c) => {
    c.header('X-Mw', 'ran')
    await c.next(ctx)
  })
  h.POST('/users/:id', async (_ctx, c) => {
    const body = JSON.parse((await c.body()).toString()) as { name: string }
    c.json(201, { id: c.param('id'), q: c.query('q'), session: c.cookie('session'), name: body.name, ct: c.getHeader('content-type') })
  })
  const res = await h.inject({
    method: 'POST',
    url: '/users/7',
    query: { q: 'x y' },
    cookies: { session: 'abc' },
    headers: { 'content-type': 'application/json' },
    payload: { name: 'gopher' }
  })
  t.equal(res.statusCode, 201)
  t.equal(res.headers['x-mw'], 'ran')
  t.equal(res.headers.server, 'hertz')
  t.same(res.json(), { id: '7', q: 'x y', session: 'abc', name: 'gopher', ct: 'application/json' })
  t.equal(h.server, null, 'no node:http server was created')
  t.notOk(h.isRunning(), 'the engine was not started')
  t.same(tcpResources(), before, 'no TCP handle was created')
})

t.test('inject: 404 and 405 through the global middleware, trailing-slash and fixed-path redirects', async t => {
  const h = server.New(server.withHandleMethodNotAllowed(true), server.withRedirectFixedPath(true))
  let mw = 0
  h.use(async (ctx, c) => { mw++; await c.next(ctx) })
  h.GET('/only-get', (_ctx, c) => { c.string(200, 'got') })
  h.GET('/dir', (_ctx, c) => { c.string(200, 'dir') })
  h.GET('/Mixed', (_ctx, c) => { c.string(200, 'mixed') })

  let res = await h.inject('/nowhere')
  t.equal(res.statusCode, 404)
  t.equal(res.body, 'Not Found')
  res = await h.inject({ method: 'POST', url: '/only-get' })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'GET')
  res = await h.inject('/dir/?k=v')
  t.equal(res.statusCode, 301)
  t.equal(res.headers.location, '/dir?k=v')
  res = await h.inject('/mixed')
  t.equal(res.statusCode, 301)
  t.equal(res.headers.location, '/Mixed')
  t.equal(mw, 2, 'the global middleware ran for the 404 and the 405 (redirects are answered without a chain, as in Hertz)')
})

t.test('inject: recovery answers 500 and the engine keeps serving', async t => {
  const h = server.New()
  const logger = new MemoryLogger()
  h.logger = logger
  h.use(recovery())
  h.GET('/boom', () => { throw new Error('kaboom') })
  h.GET('/ok', (_ctx, c) => { c.string(200, 'ok') })
  const res = await h.inject('/boom')
  t.equal(res.statusCode, 500)
  t.match(logger.text(), /kaboom/)
  t.equal((await h.inject('/ok')).body, 'ok')
})

t.test('inject: streamed bodies (setBodyStream, flush) arrive whole', async t => {
  const h = server.New()
  h.GET('/stream', (_ctx, c) => {
    c.setBodyStream(Readable.from([Buffer.from('one,'), Buffer.from('two,'), Buffer.from('three')]), -1)
  })
  h.GET('/flush', async (_ctx, c) => {
    c.writeString('first;')
    await c.flush()
    await sleep(10)
    c.writeString('second')
  })
  let res = await h.inject('/stream')
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'one,two,three')
  res = await h.inject('/flush')
  t.equal(res.headers['transfer-encoding'], 'chunked')
  t.equal(res.body, 'first;second')
})

t.test('inject loads the plugins first; run() may follow and serves the same routes', async t => {
  const h = New()
  h.logger = new MemoryLogger()
  let loads = 0
  let runs = 0
  h.onRun.push(() => { runs++ })
  h.register(async scope => {
    loads++
    await sleep(5)
    scope.GET('/hello', (_ctx, c) => { c.string(200, 'from plugin') })
  }, { prefix: '/p' })
  t.equal((await h.inject('/p/hello')).body, 'from plugin')
  t.equal((await h.inject('/p/hello')).body, 'from plugin')
  t.equal(loads, 1, 'plugins load once')
  t.equal(runs, 0, 'onRun hooks belong to run()')

  await h.run()
  t.teardown(() => h.close())
  t.equal(runs, 1)
  const r = await fetch(`http://127.0.0.1:${h.address().port}/p/hello`)
  t.equal(await r.text(), 'from plugin')
  t.equal(loads, 1)
})

t.test('inject rejects with the plugin error when a plugin fails to load', async t => {
  const h = server.New()
  h.register(() => { throw new Error('no db') })
  const err = await h.inject('/').then(() => null, (e: unknown) => e)
  t.ok(err instanceof HertzError)
  t.equal((err as HertzError).code, HertzErrorCode.PLUGIN_FAILED)
})
