import t from 'tap'
import { server, HertzError, type HandlerFunc } from '../index.js'
import { start, New } from '@hertz-node/test-kit/router'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'

const ok: HandlerFunc = (_ctx, c) => { c.string(200, 'ok') }

function codeOf (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return err instanceof HertzError ? err.code : 'not a HertzError: ' + String(err)
  }
  return 'no error'
}

t.test('bad patterns and methods throw typed errors at registration', async t => {
  const h = New()
  t.equal(codeOf(() => h.GET('', ok)), 'no error', "'' joins to the base path /")
  t.equal(codeOf(() => h.handle('get', '/x', ok)), 'HERTZ_ERR_BAD_METHOD')
  t.equal(codeOf(() => h.handle('FOO', '/x', ok)), 'HERTZ_ERR_BAD_METHOD')
  t.equal(codeOf(() => h.GET('/a/:', ok)), 'HERTZ_ERR_BAD_ROUTE')
  t.equal(codeOf(() => h.GET('/a/:x:y', ok)), 'HERTZ_ERR_BAD_ROUTE')
  t.equal(codeOf(() => h.GET('/a/:x.json', ok)), 'HERTZ_ERR_BAD_ROUTE')
  t.equal(codeOf(() => h.GET('/a/*rest/more', ok)), 'HERTZ_ERR_BAD_ROUTE')
  t.equal(codeOf(() => h.GET('/a/x*rest', ok)), 'HERTZ_ERR_BAD_ROUTE')
  t.equal(codeOf(() => h.GET('/a/*', ok)), 'HERTZ_ERR_BAD_ROUTE')
  t.equal(codeOf(() => h.GET('/a')), 'HERTZ_ERR_BAD_ROUTE', 'no handler')
  t.equal(codeOf(() => h.GET('/a', 'nope' as unknown as HandlerFunc)), 'HERTZ_ERR_BAD_HANDLER')
  t.equal(codeOf(() => { h.noRoute(42 as unknown as HandlerFunc) }), 'HERTZ_ERR_BAD_HANDLER')
  t.equal(codeOf(() => { h.noMethod('x' as unknown as HandlerFunc) }), 'HERTZ_ERR_BAD_HANDLER')
  t.equal(codeOf(() => { h.noRoute(ok, null as unknown as HandlerFunc) }), 'HERTZ_ERR_BAD_HANDLER')
  t.equal(codeOf(() => h.staticFile('/f/:x', '/tmp/x')), 'HERTZ_ERR_BAD_ROUTE')
  t.equal(codeOf(() => h.static('/s/*x', '/tmp')), 'HERTZ_ERR_BAD_ROUTE')
})

t.test('conflicting registrations throw HERTZ_ERR_ROUTE_CONFLICT with a clear message', async t => {
  const h = New()
  h.GET('/user/:id', ok)
  h.GET('/src/*filepath', ok)
  let err: unknown
  try { h.GET('/user/:id', ok) } catch (e) { err = e }
  t.type(err, HertzError)
  t.equal((err as HertzError).code, 'HERTZ_ERR_ROUTE_CONFLICT')
  t.match((err as HertzError).message, /already registered for path '\/user\/:id'/)
  t.equal(codeOf(() => h.GET('/user/:name', ok)), 'HERTZ_ERR_ROUTE_CONFLICT', 'same shape, other name')
  t.equal(codeOf(() => h.GET('/src/*other', ok)), 'HERTZ_ERR_ROUTE_CONFLICT')
  t.equal(codeOf(() => h.POST('/user/:id', ok)), 'no error', 'other method is fine')
  t.equal(codeOf(() => h.GET('/user/:id/profile', ok)), 'no error', 'same name on the prefix is fine')
  t.equal(codeOf(() => h.GET('/user/new', ok)), 'no error', 'static next to a param is fine')
  t.equal(codeOf(() => h.GET('/src/:file', ok)), 'no error', 'param next to a catch-all is fine')
  // Hertz keeps parameter names per route: a sibling route may name the shared position otherwise.
  t.equal(codeOf(() => h.GET('/user/:uid/files/:fid', ok)), 'no error', 'another name at a shared position is fine')
  t.equal(codeOf(() => h.GET('/user/:name/profile', ok)), 'HERTZ_ERR_ROUTE_CONFLICT', 'but the same route shape twice is not')
})

t.test('params, mid-segment params, catch-all and priority with backtracking', async t => {
  const h = New()
  const show: HandlerFunc = (_ctx, c) => {
    c.json(200, { full: c.fullPath(), id: c.param('id'), name: c.param('name'), fp: c.param('filepath'), missing: c.param('nope') })
  }
  h.GET('/user/:id', show)
  h.GET('/user/new', show)
  h.GET('/user/:id/files/*filepath', show)
  h.GET('/user_:name', show)
  h.GET('/src/*filepath', show)
  h.GET('/a/:id/c', show)
  h.GET('/a/b/d', show)
  h.GET('/prio/*filepath', show)
  h.GET('/prio/:name', show)
  h.GET('/prio/static', show)
  const { url } = await start(t, h)
  const get = async (p: string): Promise<Record<string, string>> => {
    const r = await fetch(url + p)
    t.equal(r.status, 200, p)
    return await r.json() as Record<string, string>
  }
  t.same(await get('/user/42'), { full: '/user/:id', id: '42', name: '', fp: '', missing: '' })
  t.same(await get('/user/new'), { full: '/user/new', id: '', name: '', fp: '', missing: '' })
  t.same(await get('/user/7/files/a/b.txt'), { full: '/user/:id/files/*filepath', id: '7', name: '', fp: 'a/b.txt', missing: '' })
  t.same(await get('/user/7/files/'), { full: '/user/:id/files/*filepath', id: '7', name: '', fp: '', missing: '' }, 'empty catch-all')
  t.same(await get('/user_bob'), { full: '/user_:name', id: '', name: 'bob', fp: '', missing: '' })
  t.same(await get('/src/x/y/z'), { full: '/src/*filepath', id: '', name: '', fp: 'x/y/z', missing: '' })
  t.same(await get('/a/b/c'), { full: '/a/:id/c', id: 'b', name: '', fp: '', missing: '' }, 'backtracks from static b to :id')
  t.same(await get('/a/b/d'), { full: '/a/b/d', id: '', name: '', fp: '', missing: '' })
  t.same(await get('/prio/static'), { full: '/prio/static', id: '', name: '', fp: '', missing: '' }, 'static first')
  t.same(await get('/prio/other'), { full: '/prio/:name', id: '', name: 'other', fp: '', missing: '' }, 'then param')
  t.same(await get('/prio/x/y'), { full: '/prio/*filepath', id: '', name: '', fp: 'x/y', missing: '' }, 'then catch-all')
  t.same(await get('/user/caf%C3%A9%20au%20lait'), { full: '/user/:id', id: 'café au lait', name: '', fp: '', missing: '' }, 'decoded param')
  t.same(await get('/user/100%25'), { full: '/user/:id', id: '100%', name: '', fp: '', missing: '' }, '%25 decodes once')
  t.same(await get('/user/a%3Fb%23c'), { full: '/user/:id', id: 'a?b#c', name: '', fp: '', missing: '' }, 'encoded ? and # stay in the path')
})

t.test('every method, any and handle', async t => {
  const h = New()
  const echo: HandlerFunc = (_ctx, c) => { c.header('X-Method', c.method()); c.string(200, c.method()) }
  h.GET('/m', echo); h.POST('/m', echo); h.PUT('/m', echo); h.DELETE('/m', echo)
  h.PATCH('/m', echo); h.HEAD('/m', echo); h.OPTIONS('/m', echo)
  h.any('/any', echo)
  h.handle('PROPFIND', '/dav', echo)
  const { url } = await start(t, h)
  for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const r = await fetch(url + '/m', { method: m })
    t.equal(await r.text(), m)
    const a = await fetch(url + '/any', { method: m })
    t.equal(await a.text(), m, 'any ' + m)
  }
  const head = await fetch(url + '/m', { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(head.headers.get('x-method'), 'HEAD')
  t.equal(head.headers.get('content-length'), '4', 'HEAD keeps the length of the body it does not send')
  const dav = await rawExchange(t, Number(new URL(url).port), 'PROPFIND /dav HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(dav.text, /^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nPROPFIND$/)
  const trace = await rawExchange(t, Number(new URL(url).port), 'TRACE /any HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(trace.text, /\r\n\r\nTRACE$/)
  t.same(h.routes().filter(r => r.path === '/any').map(r => r.method).sort(),
    ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'])
})

t.test('groups nest, use applies to later routes, engine use reaches 404s', async t => {
  const h = New()
  const trail = (tag: string): HandlerFunc => async (ctx, c) => {
    c.response.header.add('X-Trail', tag)
    await c.next(ctx)
  }
  h.use(trail('global'))
  const api = h.group('/api', trail('api'))
  api.GET('/early', ok)
  api.use(trail('api-use'))
  api.GET('/late', ok)
  const v1 = api.group('v1', trail('v1'))
  v1.GET('/x', ok)
  t.equal(v1.basePath(), '/api/v1')
  h.noRoute(trail('noroute'))
  const { url } = await start(t, h)
  const trailOf = async (p: string): Promise<[number, string | null]> => {
    const r = await fetch(url + p)
    await r.text()
    return [r.status, r.headers.get('x-trail')]
  }
  t.same(await trailOf('/api/early'), [200, 'global, api'])
  t.same(await trailOf('/api/late'), [200, 'global, api, api-use'])
  t.same(await trailOf('/api/v1/x'), [200, 'global, api, api-use, v1'])
  t.same(await trailOf('/missing'), [404, 'global, noroute'])
})

t.test('an encoded path runs the middleware of the path it decodes to', async t => {
  const h = New()
  const admin = h.group('/admin', (_ctx, c) => { c.abortWithMsg('forbidden', 403) })
  admin.GET('/panel', (_ctx, c) => { c.string(200, 'secret') })
  h.GET('/public/*filepath', (_ctx, c) => { c.string(200, 'public ' + c.param('filepath')) })
  const { url, port } = await start(t, h)
  for (const p of ['/admin/panel', '/%61dmin/panel', '/%2561dmin/panel', '/ADMIN/panel', '/public/../admin/panel',
    '/public/%2e%2e/admin/panel', '/public%2F..%2Fadmin/panel', '//admin//panel', '/./admin/./panel']) {
    const r = await rawExchange(t, port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    t.notMatch(r.text, /secret/, p + ' never reaches the handler without the middleware')
  }
  const r = await fetch(url + '/%61dmin/panel')
  t.equal(r.status, 403)
  t.equal(await r.text(), 'forbidden')
  const dbl = await fetch(url + '/%2561dmin/panel')
  t.equal(dbl.status, 404, 'decoded once: %2561 is the literal text %61')
})

t.test('trailing-slash redirects: 301 for GET, 307 otherwise, query kept; off by option', async t => {
  const h = New()
  h.GET('/foo', ok)
  h.POST('/bar/', ok)
  h.GET('/', ok)
  const { url } = await start(t, h)
  let r = await fetch(url + '/foo/?a=1&b=%20', { redirect: 'manual' })
  t.equal(r.status, 301)
  t.equal(r.headers.get('location'), '/foo?a=1&b=%20')
  r = await fetch(url + '/bar', { method: 'POST', redirect: 'manual' })
  t.equal(r.status, 307)
  t.equal(r.headers.get('location'), '/bar/')
  r = await fetch(url + '/foo/x', { redirect: 'manual' })
  t.equal(r.status, 404)

  const off = New(server.withRedirectTrailingSlash(false))
  off.GET('/foo', ok)
  const o = await start(t, off)
  r = await fetch(o.url + '/foo/', { redirect: 'manual' })
  t.equal(r.status, 404)
  t.equal(await r.text(), 'Not Found')
  t.equal(r.headers.get('content-type'), 'text/plain')
})

t.test('redirect-fixed-path corrects case (off by default), keeps param values', async t => {
  const h = New(server.withRedirectFixedPath(true))
  h.GET('/Users/:name/Profile', ok)
  h.POST('/Form', ok)
  const { url } = await start(t, h)
  let r = await fetch(url + '/users/MiXed/profile', { redirect: 'manual' })
  t.equal(r.status, 301)
  t.equal(r.headers.get('location'), '/Users/MiXed/Profile')
  r = await fetch(url + '/form', { method: 'POST', redirect: 'manual' })
  t.equal(r.status, 307)
  t.equal(r.headers.get('location'), '/Form')
  r = await fetch(url + '/users/x/profile/', { redirect: 'manual' })
  t.equal(r.status, 301)
  t.equal(r.headers.get('location'), '/Users/x/Profile')

  const def = New()
  def.GET('/Users', ok)
  const d = await start(t, def)
  r = await fetch(d.url + '/users', { redirect: 'manual' })
  t.equal(r.status, 404)
})

t.test('redirect Location cannot become protocol-relative', async t => {
  const h = New()
  h.GET('/evil.com/', ok)
  const { port } = await start(t, h)
  const r = await rawExchange(t, port, 'GET /\\evil.com HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.notMatch(r.text, /Location: \/\\/i)
  const r2 = await rawExchange(t, port, 'GET //evil.com HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(r2.text, /Location: \/evil\.com\/\r\n/, '// collapses before routing')
})

t.test('405 with handleMethodNotAllowed: Allow header, noMethod chain, default text', async t => {
  const h = New(server.withHandleMethodNotAllowed(true))
  h.GET('/r', ok)
  h.PUT('/r', ok)
  const { url } = await start(t, h)
  let r = await fetch(url + '/r', { method: 'POST' })
  t.equal(r.status, 405)
  t.equal(r.headers.get('allow'), 'GET, PUT')
  t.equal(await r.text(), 'Method Not Allowed')
  t.equal(r.headers.get('content-type'), 'text/plain')
  r = await fetch(url + '/other', { method: 'POST' })
  t.equal(r.status, 404)

  h.noMethod((_ctx, c) => { c.json(405, { error: 'method' }) })
  r = await fetch(url + '/r', { method: 'DELETE' })
  t.equal(r.status, 405)
  t.same(await r.json(), { error: 'method' })

  const off = New()
  off.GET('/r', ok)
  const o = await start(t, off)
  r = await fetch(o.url + '/r', { method: 'POST' })
  t.equal(r.status, 404, 'off by default: 404')
})

t.test('noRoute handlers can answer themselves', async t => {
  const h = New()
  h.noRoute((_ctx, c) => { c.json(404, { missing: c.path() }) })
  const { url } = await start(t, h)
  const r = await fetch(url + '/nothing/here')
  t.equal(r.status, 404)
  t.same(await r.json(), { missing: '/nothing/here' })
})

t.test('withBasePath prefixes every route', async t => {
  const h = New(server.withBasePath('svc'))
  h.GET('/ping', ok)
  const { url } = await start(t, h)
  t.equal((await fetch(url + '/svc/ping')).status, 200)
  t.equal((await fetch(url + '/ping')).status, 404)
})
