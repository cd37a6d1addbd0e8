import t from 'tap'
import { server, type HandlerFunc } from '../../index.js'
import { New, start } from '@hertz-node/test-kit/router'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'
import { runHttpTables, type HttpTable } from './runner.js'

// cloudwego/hertz pkg/route/engine_test.go: the routing and connection cases. The render, binder, validator and
// transporter tests are not routing.

const UN = 'TestEngineUnescape'
const unescape: HttpTable = {
  from: UN,
  routes: ['/*all', '/cmd/:tool/', '/src/*filepath', '/search/:query', '/info/:user/project/:project', '/info/:user'],
  cases: [
    { from: UN, target: '/', route: '/*all', params: { all: '' } },
    { from: UN, target: '/cmd/%E4%BD%A0%E5%A5%BD/', route: '/cmd/:tool/', params: { tool: '你好' } },
    { from: UN, target: '/src/some/%E4%B8%96%E7%95%8C.png', route: '/src/*filepath', params: { filepath: 'some/世界.png' } },
    { from: UN, target: '/info/%E4%BD%A0%E5%A5%BD/project/%E4%B8%96%E7%95%8C', route: '/info/:user/project/:project', params: { user: '你好' } },
    { from: UN, target: '/info/%E4%BD%A0%E5%A5%BD/project/%E4%B8%96%E7%95%8C', route: '/info/:user/project/:project', params: { project: '世界' } }
  ]
}

// TestEngineUnescapeRaw: 11 of its 15 rows run in server/raw-path.test.ts (with the withUseRawPath tests); the
// other four are here, and its raw `ünìcodé` row, whose percent-encoded twin is there.
const UR = 'TestEngineUnescapeRaw'
const unescapeRaw: HttpTable = {
  from: UR,
  options: [server.withUseRawPath(true)],
  routes: unescape.routes,
  cases: [
    { from: UR, target: '/', route: '/*all', params: { all: '' } },
    { from: UR, target: '/info/slash%2Fgordon/project/Project%20%231', route: '/info/:user/project/:project', params: { user: 'slash/gordon' } },
    { from: UR, target: '/info/slash%%%%2Fgordon/project/Project%%%%20%231', route: '/info/:user/project/:project', params: { user: 'slash%%%%2Fgordon' } },
    { from: UR, target: '/info/slash%%%%2Fgordon/project/Project%%%%20%231', route: '/info/:user/project/:project', params: { project: 'Project%%%%20%231' } },
    { from: UR, target: Buffer.from('/search/someth!ng+in+ünìcodé'), departure: 'raw-non-ascii' }
  ]
}
/** Rows of TestEngineUnescapeRaw that server/raw-path.test.ts runs, for the count. */
const UNESCAPE_RAW_ELSEWHERE = 11

function count (text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0
}

t.test('hertz pkg/route/engine_test.go', async t => {
  const r = await runHttpTables(t, [unescape, unescapeRaw])
  let ported = r.ported + UNESCAPE_RAW_ELSEWHERE

  const ok: HandlerFunc = (_ctx, c) => { c.string(200, 'ok') }
  const slow: HandlerFunc = async (_ctx, c) => {
    await new Promise(resolve => setTimeout(resolve, 20))
    c.string(200, 'ok')
  }

  await t.test('TestConnectionClose, TestConnectionClose01: the connection ends after the answer', async t => {
    const h = New()
    h.GET('/foo', ok)
    h.GET('/bar', (_ctx, c) => { c.setConnectionClose(); c.string(200, 'ok') })
    const { port } = await start(t, h)
    for (const [target, extra] of [['/foo', 'Connection: close\r\n'], ['/bar', '']]) {
      const a = await rawExchange(t, port, `GET ${target} HTTP/1.1\r\nHost: google.com\r\n${extra}\r\n`)
      t.ok(a.closed, `${target}: closed`)
      t.match(a.text, /^HTTP\/1\.1 200 OK\r\n/)
      ported++
    }
  })

  // TestIdleTimeout03: with an idle timeout of 0, two requests pipelined in one packet are both answered; the
  // connection closes after the second (Hertz's ErrShortConnection).
  for (const [name, handler] of [['synchronous', ok], ['asynchronous', slow]] as const) {
    await t.test(`TestIdleTimeout03 (${name} handler): withIdleTimeout(0) answers both pipelined requests`, async t => {
      const h = New(server.withIdleTimeout(0))
      h.GET('/foo', handler)
      const { port } = await start(t, h)
      const a = await rawExchange(t, port, 'GET /foo HTTP/1.1\r\nHost: google.com\r\n\r\n' +
        'GET /foo HTTP/1.1\r\nHost: google.com\r\nConnection: close\r\n\r\n')
      t.equal(count(a.text, /HTTP\/1\.1 200 OK\r\n/g), 2, 'two answers')
      t.ok(a.closed, 'then the connection is closed')
      ported++
    })
  }

  await t.test('TestIdleTimeout: withIdleTimeout(0) still closes a connection after its single request', async t => {
    const h = New(server.withIdleTimeout(0))
    h.GET('/foo', slow)
    const { port } = await start(t, h)
    const a = await rawExchange(t, port, 'GET /foo HTTP/1.1\r\nHost: google.com\r\n\r\n')
    t.equal(count(a.text, /HTTP\/1\.1 200 OK\r\n/g), 1)
    t.match(a.text, /Connection: close\r\n/)
    t.ok(a.closed)
    ported++
  })

  await t.test('TestEngine_Routes: routes() lists every route with its handler name', async t => {
    const h = New()
    function handlerTest1 (): void {}
    function handlerTest2 (): void {}
    h.GET('/', handlerTest1)
    h.GET('/user', handlerTest2)
    h.GET('/user/:name/*action', handlerTest1)
    h.GET('/anonymous1', () => {})
    h.POST('/user', handlerTest2)
    h.POST('/user/:name/*action', handlerTest2)
    h.POST('/anonymous2', () => {})
    const g = h.group('/v1')
    g.GET('/user', handlerTest1)
    g.POST('/login', handlerTest2)
    h.static('/static', '.')
    const list = h.routes()
    t.equal(list.length, 11)
    const want = [['GET', '/', 'handlerTest1'], ['GET', '/user', 'handlerTest2'], ['GET', '/user/:name/*action', 'handlerTest1'],
      ['GET', '/v1/user', 'handlerTest1'], ['POST', '/user', 'handlerTest2'], ['POST', '/user/:name/*action', 'handlerTest2'],
      ['POST', '/v1/login', 'handlerTest2'], ['GET', '/static/*filepath'], ['HEAD', '/static/*filepath'],
      ['GET', '/anonymous1'], ['POST', '/anonymous2']]
    for (const [method, path, handler] of want) {
      const found = list.find(r => r.method === method && r.path === path)
      t.ok(found, `${method as string} ${path as string}`)
      if (handler !== undefined) t.equal(found?.handler, handler)
      ported++
    }
  })

  t.comment(`engine_test.go: ${ported} cases ported, ${r.departures} departures`)
})
