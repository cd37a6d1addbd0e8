import t, { type Test } from 'tap'
import { start, New } from '@hertz-node/test-kit/router'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'
import * as server from './factory.js'
import type { Hertz } from './hertz.js'

// withUseRawPath / withUnescapePathValues / withRemoveExtraSlash, with the cases of cloudwego/hertz
// pkg/route/routes_test.go and engine_test.go, each request written byte for byte.

async function get (t: Test, port: number, target: string, method = 'GET'): Promise<{ status: number, body: string }> {
  const { text } = await rawExchange(t, port, `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  const status = Number(text.slice(9, 12))
  return { status, body: text.slice(text.indexOf('\r\n\r\n') + 4) }
}

function echoParams (h: Hertz, method: string, route: string): void {
  h.handle(method, route, (_ctx, c) => { c.string(200, c.param(c.query('key'))) })
}

t.test('TestRouteRawPath / TestRouteRawPathNoUnescape: an encoded slash stays in its parameter', async t => {
  const a = New(server.withUseRawPath(true))
  a.POST('/project/:name/build/:num', (_ctx, c) => { c.string(200, `${c.param('name')}|${c.param('num')}`) })
  const b = New(server.withUseRawPath(true), server.withUnescapePathValues(false))
  b.POST('/project/:name/build/:num', (_ctx, c) => { c.string(200, `${c.param('name')}|${c.param('num')}|${c.path()}`) })
  const plain = New()
  plain.POST('/project/:name/build/:num', (_ctx, c) => { c.string(200, c.param('name')) })
  const [pa, pb, pp] = [(await start(t, a)).port, (await start(t, b)).port, (await start(t, plain)).port]
  t.same(await get(t, pa, '/project/Some%2FOther%2FProject/build/222', 'POST'), { status: 200, body: 'Some/Other/Project|222' })
  t.same(await get(t, pb, '/project/Some%2FOther%2FProject/build/333', 'POST'),
    { status: 200, body: 'Some%2FOther%2FProject|333|/project/Some/Other/Project/build/333' }, 'c.path() stays decoded')
  t.equal((await get(t, pp, '/project/Some%2FOther%2FProject/build/222', 'POST')).status, 404, 'without the raw path %2F is a separator')
})

t.test('TestEngineUnescapeRaw: parameter values decoded as url.QueryUnescape', async t => {
  const h = New(server.withUseRawPath(true))
  for (const r of ['/*all', '/cmd/:tool/', '/src/*filepath', '/search/:query', '/info/:user/project/:project', '/info/:user']) echoParams(h, 'GET', r)
  const { port } = await start(t, h)
  const cases: Array<[string, string, string]> = [
    ['/cmd/test/', 'tool', 'test'],
    ['/src/some/file.png', 'filepath', 'some/file.png'],
    ['/src/some/file+test.png', 'filepath', 'some/file test.png'],
    ['/src/some/file++++%%%%test.png', 'filepath', 'some/file++++%%%%test.png'],
    ['/src/some/file%2Ftest.png', 'filepath', 'some/file/test.png'],
    ['/search/someth!ng+in+%C3%BCn%C3%ACcod%C3%A9', 'query', 'someth!ng in ünìcodé'],
    ['/info/gordon/project/go', 'user', 'gordon'],
    ['/info/gordon/project/go', 'project', 'go'],
    ['/info/slash%2Fgordon', 'user', 'slash/gordon'],
    ['/info/slash%2Fgordon/project/Project%20%231', 'project', 'Project #1'],
    ['/info/slash%%%%', 'user', 'slash%%%%'],
    ['/cmd/%E4%BD%A0%E5%A5%BD/', 'tool', '你好']
  ]
  for (const [route, key, want] of cases) {
    const r = await get(t, port, `${route}?key=${key}`)
    t.equal(r.status, 200, route)
    t.equal(Buffer.from(r.body, 'latin1').toString('utf8'), want, route)
  }
})

t.test('TestRouteParamsByNameWithExtraSlash: withRemoveExtraSlash with the raw path', async t => {
  const route = '/test/:name/:last_name/*wild'
  const handler = (h: Hertz): Hertz => h.GET(route, (_ctx, c) => { c.string(200, `${c.param('name')}|${c.param('last_name')}|${c.param('wild')}`) })
  const removing = handler(New(server.withUseRawPath(true), server.withRemoveExtraSlash(true)))
  const keeping = handler(New(server.withUseRawPath(true)))
  const decoded = handler(New())
  const [pr, pk, pd] = [(await start(t, removing)).port, (await start(t, keeping)).port, (await start(t, decoded)).port]
  const target = '/test//john//smith//is//super//great'
  t.same(await get(t, pr, target), { status: 200, body: 'john|smith|is/super/great' })
  t.same(await get(t, pd, target), { status: 200, body: 'john|smith|is/super/great' }, 'the decoded path is always clean')
  t.not((await get(t, pk, target)).body, 'john|smith|is/super/great', 'raw path without removeExtraSlash keeps the extra slashes')
  t.equal((await get(t, pr, '/test/../test/a/b/c')).body, 'a|b|c', 'TestRouterNotFoundWithRemoveExtraSlash: CleanPath')
})

t.test('the raw-path options take booleans only', async t => {
  t.throws(() => server.withUseRawPath('yes' as unknown as boolean), { code: 'HERTZ_ERR_BAD_OPTION' })
  t.throws(() => server.withTLS(null as unknown as object), { code: 'HERTZ_ERR_BAD_OPTION' })
})
