import t from 'tap'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HandlerFunc } from '../../index.js'
import type { RouterGroup } from '../group.js'
import { New, start } from '@hertz-node/test-kit/router'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'
import { runHttpTables, type HttpTable } from './runner.js'

// cloudwego/hertz pkg/route/routergroup_test.go. Hertz's tests serve `./engine.go` from their own folder; these
// serve a file of this folder instead.

const here = dirname(fileURLToPath(import.meta.url))
const FILE = 'runner.ts'
const content = readFileSync(join(here, FILE), 'utf8')
const noop: HandlerFunc = () => {}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const
const GBH = 'TestRouterGroupBasicHandle'

// performRequestInGroup: the handler runs at index 1 in a group with one middleware and at index 3 in its child
// with two more; middleware that does not call next() still lets the chain go on. A HEAD answer carries no body on
// the wire (Hertz's server sends none either; its test reads the recorder), so HEAD checks the status only.
const basicHandle = METHODS.map((m): HttpTable => ({
  from: `${GBH} ${m}`,
  routes: [],
  setup: h => {
    const handler: HandlerFunc = (_ctx, c) => { c.string(400, 'the method was %s and index %d', c.method(), c.getIndex()) }
    const v1 = h.group('v1', noop)
    const login = v1.group('/login/', noop, noop)
    v1.handle(m, '/test', handler)
    login.handle(m, '/test', handler)
  },
  cases: [
    { from: GBH, method: m, target: '/v1/login/test', status: 400, body: m === 'HEAD' ? undefined : `the method was ${m} and index 3` },
    { from: GBH, method: m, target: '/v1/test', status: 400, body: m === 'HEAD' ? undefined : `the method was ${m} and index 1` }
  ]
}))

const statics: HttpTable[] = [
  {
    from: 'TestRouterGroupStatic',
    routes: [],
    setup: h => { h.static('/', here) },
    cases: [{ from: 'TestRouterGroupStatic', target: '/' + FILE, status: 200, body: content }]
  },
  {
    from: 'TestRouterGroupStaticFile',
    routes: [],
    setup: h => { h.staticFile('file', join(here, FILE)) },
    cases: [{ from: 'TestRouterGroupStaticFile', target: '/file', status: 200, body: content }]
  }
]

// testRoutesInterface registers these on the engine and on a group; each returns the receiver.
function pipeline (r: RouterGroup): Array<[string, unknown]> {
  return [
    ['use', r.use(noop)],
    ['handle', r.handle('GET', '/handler', noop)],
    ['any', r.any('/any', noop)],
    ['GET', r.GET('/', noop)],
    ['POST', r.POST('/', noop)],
    ['DELETE', r.DELETE('/', noop)],
    ['PATCH', r.PATCH('/', noop)],
    ['PUT', r.PUT('/', noop)],
    ['OPTIONS', r.OPTIONS('/', noop)],
    ['HEAD', r.HEAD('/', noop)],
    ['staticFile', r.staticFile('/file', '.')],
    ['static', r.static('/static', '.')],
    ['staticFS', r.staticFS('/static2', {})]
  ]
}

t.test('hertz pkg/route/routergroup_test.go', async t => {
  const r = await runHttpTables(t, [...basicHandle, ...statics])
  let ported = r.ported
  let departures = r.departures

  t.test('TestRouterGroupBasic: middleware counts and base paths', async t => {
    const h = New()
    const group = h.group('/hola', noop)
    group.use(noop)
    t.equal(group.handlers.length, 2)
    t.equal(group.basePath(), '/hola')
    const group2 = group.group('manu')
    group2.use(noop, noop)
    t.equal(group2.handlers.length, 4)
    t.equal(group2.basePath(), '/hola/manu')
    // Hertz compares group.engine with the engine: a route of the nested group is the engine's.
    group2.GET('/x', (_ctx, c) => { c.string(200, String(c.getIndex())) })
    const { port } = await start(t, h)
    const a = await rawExchange(t, port, 'GET /hola/manu/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    t.match(a.text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n4$/, 'the engine runs the group route, after its 4 middleware')
    ported += 7
  })

  const refused: Array<[string, string, (h: ReturnType<typeof New>) => unknown]> = [
    ['TestRouterGroupInvalidStatic', "static('/path/:param')", h => h.static('/path/:param', '/')],
    ['TestRouterGroupInvalidStatic', "static('/path/*param')", h => h.static('/path/*param', '/')],
    ['TestRouterGroupInvalidStaticFile', "staticFile('/path/:param')", h => h.staticFile('/path/:param', 'favicon.ico')],
    ['TestRouterGroupInvalidStaticFile', "staticFile('/path/*param')", h => h.staticFile('/path/*param', 'favicon.ico')],
    ['TestRouterGroupBadMethod', "handle('GET', '/') without a handler", h => h.handle('GET', '/')],
    ...[' GET', 'GET ', '', 'PO ST', '1GET', 'PATCh'].map((m): [string, string, (h: ReturnType<typeof New>) => unknown] =>
      ['TestRouterGroupBadMethod', `handle(${JSON.stringify(m)}, '/')`, h => h.handle(m, '/', noop)])
  ]
  for (const [from, what, fn] of refused) {
    t.throws(() => fn(New()), { name: 'HertzError' }, `${from}: ${what} is refused`)
    ported++
  }

  // Hertz's handler index is an int8 with 63 as its abort mark, so a chain of 63 or more panics; a JavaScript
  // index has no such bound, and the 66-handler chain runs.
  t.test('TestRouterGroupTooManyHandlers (departure: no 63-handler limit)', async t => {
    const h = New()
    h.use(...Array.from({ length: 40 }, () => noop))
    t.doesNotThrow(() => h.use(...Array.from({ length: 26 }, () => noop)))
    t.doesNotThrow(() => h.GET('/', ...Array.from({ length: 25 }, () => noop), (_ctx, c) => { c.string(200, String(c.getIndex())) }))
    const { port } = await start(t, h)
    const a = await rawExchange(t, port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    t.match(a.text, /\r\n\r\n91$/, 'all 92 handlers run')
  })
  ported += 2
  departures += 2

  const h = New()
  for (const [label, r] of [['engine', h], ['group', h.group('/v1')]] as const) {
    for (const [name, got] of pipeline(r)) {
      t.equal(got, r, `TestRouterGroupPipeline: ${label}.${name}() returns the receiver`)
      ported++
    }
  }

  t.comment(`routergroup_test.go: ${ported} cases ported, ${departures} departures`)
})
