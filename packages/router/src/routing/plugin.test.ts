import t from 'tap'
import fp from 'fastify-plugin'
import { HertzError, type HandlerFunc, type RequestContext } from '../index.js'
import { skipOverride, type Plugin, type Scope } from './plugin.js'
import { start, New, MemoryLogger } from '@hertz-node/test-kit/router'
import { sleep } from '@hertz-node/test-kit/teardown'

/** Middleware that appends `name` to the request's `seen` list. */
function mark (name: string): HandlerFunc {
  return (ctx, c) => {
    const seen = (c.get('seen') as string[] | undefined) ?? []
    c.set('seen', [...seen, name])
    return c.next(ctx)
  }
}

/** A handler answering with the middleware the request went through. */
function report (label: string): HandlerFunc {
  return function report (_ctx, c: RequestContext) {
    c.json(200, { at: label, seen: c.get('seen') ?? [] })
  }
}

async function get (url: string): Promise<{ status: number, body: any }> {
  const r = await fetch(url, { redirect: 'manual' })
  const text = await r.text()
  let body: unknown = text
  try { body = JSON.parse(text) } catch {}
  return { status: r.status, body }
}

t.test('encapsulation: a child sees its parents, never the reverse; siblings are isolated', async t => {
  const h = New()
  h.use(mark('root'))
  h.register(async function a (scope: Scope) {
    scope.use(mark('a'))
    scope.GET('/x', report('a'))
    scope.register(async function a1 (inner: Scope) {
      inner.use(mark('a1'))
      inner.GET('/x', report('a1'))
      inner.noRoute((_ctx, c) => { c.json(404, { at: 'a1-404', seen: c.get('seen') }) })
    }, { prefix: '/1' })
    // Registered in the parent after the child: the child's middleware does not leak up.
    scope.GET('/after', report('a-after'))
    scope.noRoute((_ctx, c) => { c.json(404, { at: 'a-404', seen: c.get('seen') }) })
  }, { prefix: '/a' })
  h.register(function b (scope: Scope) {
    scope.use(mark('b'))
    scope.GET('/x', report('b'))
  }, { prefix: '/b' })
  h.GET('/r', report('root'))
  const { url } = await start(t, h)

  const cases: Array<[string, number, unknown]> = [
    ['/r', 200, { at: 'root', seen: ['root'] }],
    ['/a/x', 200, { at: 'a', seen: ['root', 'a'] }],
    ['/a/after', 200, { at: 'a-after', seen: ['root', 'a'] }],
    ['/a/1/x', 200, { at: 'a1', seen: ['root', 'a', 'a1'] }],
    ['/b/x', 200, { at: 'b', seen: ['root', 'b'] }],
    // 404s under a scope run that scope's noRoute with that scope's middleware; the innermost scope wins.
    ['/a/nope', 404, { at: 'a-404', seen: ['root', 'a'] }],
    ['/a/1/nope', 404, { at: 'a1-404', seen: ['root', 'a', 'a1'] }],
    ['/a', 404, { at: 'a-404', seen: ['root', 'a'] }],
    // A sibling without its own noRoute, and the root, keep the engine's default 404.
    ['/b/nope', 404, 'Not Found'],
    ['/nope', 404, 'Not Found'],
    ['/ab/x', 404, 'Not Found']
  ]
  for (const [path, status, body] of cases) {
    const r = await get(url + path)
    t.equal(r.status, status, path)
    t.same(r.body, body, path)
  }
})

t.test('prefixes join with exactly one slash, whatever the caller wrote', async t => {
  const spellings: Array<[string, string, string]> = [
    ['/api', '/v1', '/x'],
    ['/api/', '/v1/', '/x'],
    ['api', 'v1', 'x'],
    ['//api//', '//v1', '//x'],
    ['/api/', 'v1', 'x']
  ]
  for (const [outer, inner, route] of spellings) {
    const h = New()
    h.register(async (scope: Scope) => {
      scope.register(async (s2: Scope) => {
        s2.GET(route, function leaf (_ctx, c) { c.string(200, c.fullPath()) })
      }, { prefix: inner })
    }, { prefix: outer })
    const { url } = await start(t, h)
    t.same(h.routes().map(r => r.path), ['/api/v1/x'], `${outer} + ${inner} + ${route}`)
    const r = await get(url + '/api/v1/x')
    t.equal(r.body, '/api/v1/x')
    await h.close()
  }

  // No prefix and '' add nothing; a root route keeps its own spelling.
  const h = New()
  h.register((scope: Scope) => { scope.GET('/plain', report('plain')) })
  h.register((scope: Scope) => { scope.GET('/empty', report('empty')) }, { prefix: '' })
  await start(t, h)
  t.same(h.routes().map(r => r.path), ['/plain', '/empty'])
})

t.test('plugins load in registration order, depth first; async ones are awaited before run() listens', async t => {
  const order: string[] = []
  const h = New()
  h.register(async function first (scope: Scope) {
    order.push('first:start')
    scope.register(async function firstChild () {
      await sleep(20)
      order.push('first-child')
    })
    await sleep(30)
    order.push('first:end')
  })
  h.register(function second (scope: Scope) {
    order.push('second')
    scope.register(function secondChild () { order.push('second-child') })
  })
  h.register(async function third (scope: Scope) {
    await sleep(10)
    order.push('third')
    // Registered after an await: still in place before the server listens.
    scope.GET('/late', (_ctx, c) => { c.string(200, 'late route') })
  })
  const { url } = await start(t, h)
  t.same(order, ['first:start', 'first:end', 'first-child', 'second', 'second-child', 'third'])
  t.equal((await get(url + '/late')).body, 'late route')
  t.throws(() => h.register(() => {}), { code: 'HERTZ_ERR_PLUGIN_TOO_LATE' })
})

t.test('a failing plugin aborts the start with a typed error; the server never listens', async t => {
  const failures: Array<[string, (scope: Scope) => void | Promise<void>]> = [
    ['sync', function syncBoom () { throw new Error('boom') }],
    ['async', async function asyncBoom () { await sleep(5); throw new Error('boom') }],
    ['route conflict', function twice (scope: Scope) {
      scope.GET('/same', report('one'))
      scope.GET('/same', report('two'))
    }]
  ]
  for (const [label, plugin] of failures) {
    const h = New()
    h.logger = new MemoryLogger()
    let ran = false
    h.register(plugin)
    h.register(() => { ran = true })
    const err = await h.run().then(() => null, (e: unknown) => e)
    t.type(err, HertzError, label)
    t.equal((err as HertzError).code, 'HERTZ_ERR_PLUGIN_FAILED', label)
    t.match((err as HertzError).message, new RegExp(`plugin '${plugin.name}' failed to load`), label)
    t.ok((err as HertzError).cause instanceof Error, label)
    t.notOk(ran, `${label}: later plugins are not loaded`)
    t.throws(() => h.address(), { code: 'HERTZ_ERR_NOT_RUNNING' }, `${label}: never listened`)
    await t.rejects(h.run(), { code: 'HERTZ_ERR_PLUGIN_FAILED' }, `${label}: a second start fails the same way`)
  }

  const nested = New()
  nested.logger = new MemoryLogger()
  nested.register((scope: Scope) => { scope.register(async function deep () { throw new TypeError('deep') }) })
  const err = await nested.run().then(() => null, (e: unknown) => e) as HertzError
  t.equal(err.code, 'HERTZ_ERR_PLUGIN_FAILED')
  t.match(err.message, /'deep'/)
  t.type(err.cause, TypeError)

  const hung = New()
  hung.logger = new MemoryLogger()
  hung.pluginTimeout = 50
  hung.register(function neverDone () { return new Promise<void>(() => {}) })
  await t.rejects(hung.run(), { code: 'HERTZ_ERR_PLUGIN_TIMEOUT', message: /'neverDone'.*50 ms/ })

  const patient = New()
  patient.logger = new MemoryLogger()
  patient.pluginTimeout = 0
  patient.register(async function slowButSure () { await sleep(30) })
  await patient.run()
  t.teardown(() => patient.close())
  t.pass('a timeout of 0 waits as long as the plugin takes')
})

t.test('skip-override: the plugin adds to its parent scope', async t => {
  const h = New()
  const auth = skipOverride(function auth (scope: Scope) { scope.use(mark('auth')) })
  h.register(async function api (scope: Scope) {
    scope.GET('/before', report('before'))
    scope.register(auth)
    scope.register(async function v1 (inner: Scope) { inner.GET('/x', report('v1')) }, { prefix: '/v1' })
    scope.register(async function shared (inner: Scope) { inner.GET('/shared', report('shared')) })
  }, { prefix: '/api' })
  // fastify-plugin's marker is honoured too, at the root: the engine's global middleware.
  h.register(fp(function globalMw (scope: any) { scope.use(mark('global')) } as any) as unknown as Plugin)
  h.register(function other (scope: Scope) { scope.GET('/x', report('other')) }, { prefix: '/other' })
  const { url } = await start(t, h)

  t.same((await get(url + '/api/before')).body, { at: 'before', seen: [] }, 'routes registered before keep their chain')
  t.same((await get(url + '/api/v1/x')).body, { at: 'v1', seen: ['auth'] }, 'a child loaded after it sees it')
  t.same((await get(url + '/api/shared')).body, { at: 'shared', seen: ['auth'] })
  t.same((await get(url + '/other/x')).body, { at: 'other', seen: ['global'] }, 'the api sibling does not see auth')

  t.throws(() => h.register(skipOverride(() => {}), { prefix: '/x' }), { code: 'HERTZ_ERR_BAD_PLUGIN' })
})

t.test('skip-override at the root sets the engine\'s own 404 handlers', async t => {
  const h = New()
  h.register(skipOverride(function notFound (scope: Scope) {
    scope.noRoute((_ctx, c) => { c.string(404, 'custom root 404') })
  }))
  h.register(function api (scope: Scope) { scope.GET('/x', report('x')) }, { prefix: '/api' })
  const { url } = await start(t, h)
  t.same(await get(url + '/nowhere'), { status: 404, body: 'custom root 404' })
  t.same(await get(url + '/api/nowhere'), { status: 404, body: 'custom root 404' }, 'scopes without their own fall back to it')
})

t.test('bad registrations throw typed errors at once', async t => {
  const h = New()
  t.throws(() => h.register('nope' as never), { code: 'HERTZ_ERR_BAD_PLUGIN' })
  t.throws(() => h.register(() => {}, { prefix: 42 } as never), { code: 'HERTZ_ERR_BAD_PLUGIN' })
  t.throws(() => h.register(() => {}, null as never), { code: 'HERTZ_ERR_BAD_PLUGIN' })
  t.throws(() => h.register(skipOverride(() => {}), { prefix: '/p' }), { code: 'HERTZ_ERR_BAD_PLUGIN', message: /cannot take a prefix/ })
  h.register((scope: Scope) => {
    t.throws(() => scope.noRoute('x' as never), { code: 'HERTZ_ERR_BAD_HANDLER' })
  }, { prefix: '/s' })
  h.register((scope: Scope) => { scope.noRoute((_ctx, c) => { c.string(404, 'one') }) }, { prefix: '/dup' })
  h.register((scope: Scope) => { scope.noRoute((_ctx, c) => { c.string(404, 'two') }) }, { prefix: '/dup' })
  h.logger = new MemoryLogger()
  const err = await h.run().then(() => null, (e: unknown) => e) as HertzError
  t.equal(err.code, 'HERTZ_ERR_PLUGIN_FAILED')
  t.equal((err.cause as HertzError).code, 'HERTZ_ERR_ROUTE_CONFLICT', 'two scopes cannot both own the 404s of one prefix')
})

t.test('h.routes() lists method, full path and handler name', async t => {
  const h = New()
  h.GET('/', function home () {})
  h.register(async (scope: Scope) => {
    t.equal(scope.engine, h, 'a scope reaches its engine (hooks, logger)')
    scope.POST('/items', function createItem () {})
    scope.group('/admin').DELETE('/items/:id', function deleteItem () {})
  }, { prefix: '/api' })
  await start(t, h)
  t.same(h.routes(), [
    { method: 'GET', path: '/', handler: 'home' },
    { method: 'POST', path: '/api/items', handler: 'createItem' },
    { method: 'DELETE', path: '/api/admin/items/:id', handler: 'deleteItem' }
  ])
})
