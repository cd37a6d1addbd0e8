import t from 'tap'
import { server } from '../../index.js'
import { runHttpTables, type HttpCase, type HttpTable } from './runner.js'

// cloudwego/hertz pkg/route/routes_test.go, as data: the engine's answers (redirects, 404, 405) and its
// route priority and backtracking tables. The static-file tests are in routes-static.test.ts; TestRouteRawPath and
// TestRouteRawPathNoUnescape in server/raw-path.test.ts.

const ANY9 = ['GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'DELETE', 'CONNECT', 'TRACE']

function echoStyle (from: string, routes: HttpTable['routes'], cases: Array<Omit<HttpCase, 'from'>>): HttpTable {
  return { from, routes, cases: cases.map(c => ({ from, ...c })) }
}

const RTS = 'TestRouteRedirectTrailingSlash'
const RFP = 'TestRouteRedirectFixedPath'
const RNF = 'TestRouterNotFound'
const FULL = 'TestRouteContextHoldsFullPath'
const fullPaths = ['/simple', '/project/:name', '/', '/news/home', '/news', '/simple-two/one', '/simple-two/one-two',
  '/project/:name/build/*params', '/project/:name/bui', '/user/:id/status', '/user/:id', '/user/:id/profile']

// A nil handler in Hertz's table is a 404 here, or the trailing-slash redirect Hertz's engine answers with.
const tables: HttpTable[] = [
  {
    from: 'TestRouterMethod',
    routes: [['PUT', '/hey2', 'sup2'], ['PUT', '/hey', 'called'], ['PUT', '/hey3', 'sup3']],
    cases: [{ from: 'TestRouterMethod', method: 'PUT', target: '/hey', status: 200, body: 'called' }]
  },
  ...ANY9.map((m): HttpTable => ({
    from: 'TestRouterGroupRouteOK ' + m,
    routes: [['ANY', '/test2'], [m, '/test']],
    cases: [
      { from: 'TestRouterGroupRouteOK', method: m, target: '/test', route: m === 'HEAD' ? undefined : '/test', status: 200 },
      { from: 'TestRouterGroupRouteOK', method: m, target: '/test2', route: m === 'HEAD' ? undefined : '/test2', status: 200 }
    ]
  })),
  ...ANY9.map((m): HttpTable => ({
    from: 'TestRouteNotOK1 ' + m,
    routes: [[m, '/test_2']],
    cases: [{ from: 'TestRouteNotOK1', method: m, target: '/test', route: null }]
  })),
  ...ANY9.map((m): HttpTable => ({
    from: 'TestRouteNotOK2 ' + m,
    options: [server.withHandleMethodNotAllowed(true)],
    routes: [[m === 'POST' ? 'GET' : 'POST', '/test']],
    cases: [{ from: 'TestRouteNotOK2', method: m, target: '/test', status: 405 }]
  })),
  ...ANY9.map((m): HttpTable => ({
    from: 'TestRouteNotOK3 ' + m,
    routes: ['/api/v:version/product/local/products/list', '/api/v:version/product/product_creation/preload_all_categories'],
    cases: [{ from: 'TestRouteNotOK3', method: m, target: '/api/v1/product/products/activate', route: null }]
  })),
  {
    from: RTS,
    options: [server.withRedirectFixedPath(false), server.withRedirectTrailingSlash(true)],
    routes: ['/path', '/path2/', ['POST', '/path3'], ['PUT', '/path4/']],
    cases: [
      { from: RTS, target: '/path/', status: 301, location: '/path' },
      { from: RTS, target: '/path2', status: 301, location: '/path2/' },
      { from: RTS, method: 'POST', target: '/path3/', status: 307, location: '/path3' },
      { from: RTS, method: 'PUT', target: '/path4', status: 307, location: '/path4/' },
      { from: RTS, target: '/path', route: '/path' },
      { from: RTS, target: '/path2/', route: '/path2/' },
      { from: RTS, method: 'POST', target: '/path3', route: '/path3' },
      { from: RTS, method: 'PUT', target: '/path4/', route: '/path4/' },
      { from: RTS, target: '/path2', headers: ['X-Forwarded-Prefix: /api'], status: 301, location: '/api/path2/' },
      { from: RTS, target: '/path2/', headers: ['X-Forwarded-Prefix: /api/'], route: '/path2/' }
    ]
  },
  {
    from: RTS + ' (redirect off)',
    options: [server.withRedirectFixedPath(false), server.withRedirectTrailingSlash(false)],
    routes: ['/path', '/path2/', ['POST', '/path3'], ['PUT', '/path4/']],
    cases: [
      { from: RTS, target: '/path/', route: null },
      { from: RTS, target: '/path2', route: null },
      { from: RTS, method: 'POST', target: '/path3/', route: null },
      { from: RTS, method: 'PUT', target: '/path4', route: null }
    ]
  },
  {
    from: 'TestRouteRedirectTrailingSlashWithQuery',
    options: [server.withRedirectFixedPath(false), server.withRedirectTrailingSlash(true)],
    routes: ['/path', '/path2/'],
    cases: [
      { from: 'TestRouteRedirectTrailingSlashWithQuery', target: '/path/?offset=2', status: 301, location: '/path?offset=2' },
      { from: 'TestRouteRedirectTrailingSlashWithQuery', target: '/path2?offset=2', status: 301, location: '/path2/?offset=2' }
    ]
  },
  {
    from: RFP,
    options: [server.withRedirectFixedPath(true), server.withRedirectTrailingSlash(false)],
    routes: ['/path', '/Path2', ['POST', '/PATH3'], ['POST', '/Path4/']],
    cases: [
      { from: RFP, target: '/PATH', status: 301, location: '/path' },
      { from: RFP, target: '/path2', status: 301, location: '/Path2' },
      { from: RFP, method: 'POST', target: '/path3', status: 307, location: '/PATH3' },
      { from: RFP, method: 'POST', target: '/path4', status: 307, location: '/Path4/' }
    ]
  },
  {
    from: 'TestRouteParamsByName',
    routes: ['/test/:name/:last_name/*wild'],
    cases: [{
      from: 'TestRouteParamsByName',
      target: '/test/john/smith/is/super/great',
      route: '/test/:name/:last_name/*wild',
      params: { name: 'john', last_name: 'smith', wild: 'is/super/great' }
    }]
  },
  {
    from: 'TestRouteNotAllowedEnabled',
    options: [server.withHandleMethodNotAllowed(true)],
    routes: [['POST', '/path']],
    cases: [{ from: 'TestRouteNotAllowedEnabled', target: '/path', status: 405 }]
  },
  {
    from: 'TestRouteNotAllowedEnabled2',
    options: [server.withHandleMethodNotAllowed(true)],
    routes: [['POST', '/'], '/path2'],
    cases: [{ from: 'TestRouteNotAllowedEnabled2', method: 'POST', target: '/path2', status: 405 }]
  },
  {
    from: 'TestRouteNotAllowedDisabled',
    options: [server.withHandleMethodNotAllowed(false)],
    routes: [['POST', '/path']],
    cases: [{ from: 'TestRouteNotAllowedDisabled', target: '/path', status: 404, body: 'Not Found' }]
  },
  {
    from: RNF,
    options: [server.withRedirectFixedPath(true)],
    routes: ['/path', '/dir/', '/', ['PATCH', '/path']],
    cases: [
      { from: RNF, target: '/path/', status: 301, location: '/path' },
      { from: RNF, target: '/dir', status: 301, location: '/dir/' },
      { from: RNF, target: '/PATH', status: 301, location: '/path' },
      { from: RNF, target: '/DIR/', status: 301, location: '/dir/' },
      { from: RNF, target: '/PATH/', status: 301, location: '/path' },
      { from: RNF, target: '/DIR', status: 301, location: '/dir/' },
      { from: RNF, target: '/../path/', status: 301, location: '/path' },
      { from: RNF, target: '/nope', route: null },
      { from: RNF, method: 'PATCH', target: '/path/', status: 307, location: '/path' }
    ]
  },
  { from: RNF + ' (no node for /)', routes: ['/a'], cases: [{ from: RNF, target: '/', route: null }] },
  {
    from: FULL,
    routes: fullPaths,
    cases: [...fullPaths.map(p => ({ from: FULL, target: p, route: p })), { from: FULL, target: '/not-found', route: null }]
  },
  {
    from: 'TestRouterStatic',
    routes: ['/folders/a/files/hertz.gif'],
    cases: [{ from: 'TestRouterStatic', target: '/folders/a/files/hertz.gif', route: '/folders/a/files/hertz.gif' }]
  },
  {
    from: 'TestRouterTwoParam',
    routes: ['/users/:uid/files/:fid'],
    cases: [{ from: 'TestRouterTwoParam', target: '/users/1/files/1', route: '/users/:uid/files/:fid', params: { uid: '1', fid: '1' } }]
  },
  {
    from: 'TestRouterParamWithSlash',
    routes: ['/a/:b/c/d/:e', '/a/:b/c/:d/:f'],
    cases: [{ from: 'TestRouterParamWithSlash', target: '/a/1/c/d/2/3', route: null }]
  },
  {
    from: 'TestRouterAnyMatchesLastAddedAnyRoute',
    routes: ['/users/*x'],
    cases: [{ from: 'TestRouterAnyMatchesLastAddedAnyRoute', target: '/users/xxx/action/sea', route: '/users/*x', params: { x: 'xxx/action/sea' } }]
  },
  {
    from: 'TestRouterMicroParam',
    routes: ['/:a/:b/:c'],
    cases: [{ from: 'TestRouterMicroParam', target: '/1/2/3', route: '/:a/:b/:c', params: { a: '1', b: '2', c: '3' } }]
  },
  {
    from: 'TestRouterMixParamMatchAny',
    routes: ['/users/:id/*x'],
    cases: [{ from: 'TestRouterMixParamMatchAny', target: '/users/joe/comments', route: '/users/:id/*x', params: { id: 'joe' } }]
  },
  // TestRouterIssue1348 only registers: '/:lang/' next to '/:lang/dupa' must not throw.
  {
    from: 'TestRouterIssue1348',
    routes: ['/:lang/', '/:lang/dupa'],
    cases: [{ from: 'TestRouterIssue1348', target: '/en/dupa', route: '/:lang/dupa', params: { lang: 'en' } }]
  },
  echoStyle('TestRouterParam', ['/users/:id'], [
    { target: '/users/1', route: '/users/:id', params: { id: '1' } },
    { target: '/users/1/', route: null, status: 301, location: '/users/1' }
  ]),
  echoStyle('TestRouteMultiLevelBacktracking', ['/a/:b/c', '/a/c/d', '/a/c/df', '/:e/c/f', '/*x'], [
    { target: '/a/c/df', route: '/a/c/df' },
    { target: '/a/x/c', route: '/a/:b/c', params: { b: 'x' } },
    { target: '/b/c/f', route: '/:e/c/f', params: { e: 'b' } },
    { target: '/b/c/c', route: '/*x', params: { x: 'b/c/c' } }
  ]),
  echoStyle('TestRouteMultiLevelBacktracking2', ['/a/:b/c', '/a/c/d', '/a/c/df', '/:e/c/f', '/*x'], [
    { target: '/a/c/df', route: '/a/c/df' },
    { target: '/a/x/c', route: '/a/:b/c', params: { b: 'x' } },
    { target: '/a/c/f', route: '/:e/c/f', params: { e: 'a' } },
    { target: '/b/c/f', route: '/:e/c/f', params: { e: 'b' } },
    { target: '/b/c/c', route: '/*x', params: { x: 'b/c/c' } },
    { target: '/a/c/cf', route: '/*x', params: { x: 'a/c/cf' } },
    { target: '/anyMatch', route: '/*x', params: { x: 'anyMatch' } },
    { target: '/anyMatch/withSlash', route: '/*x', params: { x: 'anyMatch/withSlash' } }
  ]),
  echoStyle('TestRouterBacktrackingFromMultipleParamKinds', ['/*x', '/:1/second', '/:1/:2', '/:1/:2/third', '/:1/:2/:3/fourth', '/:1/:2/:3/:4/fifth'], [
    { target: '/first', route: '/*x', params: { x: 'first' } },
    { target: '/first/second', route: '/:1/second', params: { 1: 'first' } },
    { target: '/first/second-new', route: '/:1/:2', params: { 1: 'first', 2: 'second-new' } },
    { target: '/first/second/', route: '/*x', params: { x: 'first/second/' } },
    { target: '/first/second/third/fourth/fifth/nope', route: '/*x', params: { x: 'first/second/third/fourth/fifth/nope' } }
  ]),
  echoStyle('TestRouterParamStaticConflict', ['/g/skills', '/g/status', '/g/:name'], [
    { target: '/g/s', route: '/g/:name', params: { name: 's' } },
    { target: '/g/status', route: '/g/status' }
  ]),
  echoStyle('TestRouterMatchAny', ['/', '/*x', '/users/*x'], [
    { target: '/', route: '/' },
    { target: '/download', route: '/*x', params: { x: 'download' } },
    { target: '/users/joe', route: '/users/*x', params: { x: 'joe' } }
  ]),
  echoStyle('TestRouterMatchAnyPrefixIssue', ['/*x', '/users/*x'], [
    { target: '/', route: '/*x', params: { x: '' } },
    { target: '/users', route: '/*x', params: { x: 'users' } },
    { target: '/users/', route: '/users/*x', params: { x: '' } },
    { target: '/users_prefix', route: '/*x', params: { x: 'users_prefix' } },
    { target: '/users_prefix/', route: '/*x', params: { x: 'users_prefix/' } }
  ]),
  echoStyle('TestRouterMatchAnySlash', ['/users', '/users/*x', '/img/*x', '/img/load', '/img/load/*x', '/assets/*x'], [
    { target: '/', route: null },
    { target: '/users/', route: '/users/*x', params: { x: '' } },
    { target: '/users/joe', route: '/users/*x', params: { x: 'joe' } },
    { target: '/img/load', route: '/img/load' },
    { target: '/img/load/', route: '/img/load/*x', params: { x: '' } },
    { target: '/img/load/ben', route: '/img/load/*x', params: { x: 'ben' } },
    { target: '/assets', route: null, status: 301, location: '/assets/' },
    { target: '/assets/', route: '/assets/*x', params: { x: '' } }
  ]),
  echoStyle('TestRouterMatchAnyMultiLevel', ['/api/users/jack', '/api/users/jill', '/api/users/*x', '/api/*x', '/other/*x', '/*x'], [
    { target: '/api/users/jack', route: '/api/users/jack' },
    { target: '/api/users/jill', route: '/api/users/jill' },
    { target: '/api/users/joe', route: '/api/users/*x', params: { x: 'joe' } },
    { target: '/api/nousers/joe', route: '/api/*x', params: { x: 'nousers/joe' } },
    { target: '/api/none', route: '/api/*x', params: { x: 'none' } },
    { target: '/api/none', route: '/api/*x', params: { x: 'none' } },
    { target: '/noapi/users/jim', route: '/*x', params: { x: 'noapi/users/jim' } }
  ]),
  echoStyle('TestRouterMatchAnyMultiLevelWithPost', [['POST', '/api/auth/login'], ['POST', '/api/auth/forgotPassword'], ['ANY', '/api/*x'], ['ANY', '/*x']], [
    { target: '/api/auth/login', route: '/api/auth/login', method: 'POST' },
    { target: '/api/auth/logout', route: '/api/*x', method: 'POST', params: { x: 'auth/logout' } },
    { target: '/api/other/test', route: '/api/*x', method: 'POST', params: { x: 'other/test' } },
    { target: '/api/other/test', route: '/api/*x', method: 'GET', params: { x: 'other/test' } }
  ]),
  echoStyle('TestRouterMultiRoute', ['/users', '/users/:id'], [
    { target: '/users', route: '/users' },
    { target: '/users/1', route: '/users/:id', params: { id: '1' } },
    { target: '/user', route: null }
  ]),
  echoStyle('TestRouterPriority', ['/users', '/users/new', '/users/:id', '/users/dew', '/users/:id/files', '/users/newsee', '/users/*x', '/users/new/*x', '/*x'], [
    { target: '/users', route: '/users' },
    { target: '/users/new', route: '/users/new' },
    { target: '/users/1', route: '/users/:id', params: { id: '1' } },
    { target: '/users/dew', route: '/users/dew' },
    { target: '/users/1/files', route: '/users/:id/files', params: { id: '1' } },
    { target: '/users/new', route: '/users/new' },
    { target: '/users/news', route: '/users/:id', params: { id: 'news' } },
    { target: '/users/newsee', route: '/users/newsee' },
    { target: '/users/joe/books', route: '/users/*x', params: { x: 'joe/books' } },
    { target: '/users/new/someone', route: '/users/new/*x', params: { x: 'someone' } },
    { target: '/users/dew/someone', route: '/users/*x', params: { x: 'dew/someone' } },
    { target: '/users/notexists/someone', route: '/users/*x', params: { x: 'notexists/someone' } },
    { target: '/nousers', route: '/*x', params: { x: 'nousers' } },
    { target: '/nousers/new', route: '/*x', params: { x: 'nousers/new' } }
  ]),
  echoStyle('TestRouterPriorityNotFound', ['/a/foo', '/a/bar'], [
    { target: '/a/foo', route: '/a/foo' },
    { target: '/a/bar', route: '/a/bar' },
    { target: '/abc/def', route: null }
  ]),
  echoStyle('TestRouterParamNames', ['/users', '/users/:id', '/users/:uid/files/:fid'], [
    { target: '/users', route: '/users' },
    { target: '/users/1', route: '/users/:id', params: { id: '1' } },
    { target: '/users/1/files/1', route: '/users/:uid/files/:fid', params: { uid: '1', fid: '1' } }
  ]),
  echoStyle('TestRouterStaticDynamicConflict', ['/dictionary/skills', '/dictionary/:name', '/users/new', '/users/:name', '/server', '/'], [
    { target: '/dictionary/skills', route: '/dictionary/skills' },
    { target: '/dictionary/skillsnot', route: '/dictionary/:name', params: { name: 'skillsnot' } },
    { target: '/dictionary/type', route: '/dictionary/:name', params: { name: 'type' } },
    { target: '/server', route: '/server' },
    { target: '/users/new', route: '/users/new' },
    { target: '/users/new2', route: '/users/:name', params: { name: 'new2' } },
    { target: '/', route: '/' }
  ]),
  echoStyle('TestRouterParamBacktraceNotFound', ['/:param1', '/:param1/foo', '/:param1/bar', '/:param1/bar/:param2'], [
    { target: '/a', route: '/:param1', params: { param1: 'a' } },
    { target: '/a/foo', route: '/:param1/foo', params: { param1: 'a' } },
    { target: '/a/bar', route: '/:param1/bar', params: { param1: 'a' } },
    { target: '/a/bar/b', route: '/:param1/bar/:param2', params: { param1: 'a', param2: 'b' } },
    { target: '/a/bbbbb', route: null }
  ]),
  {
    from: 'TestRouteParamsByNameWithExtraSlash',
    options: [server.withRemoveExtraSlash(true)],
    routes: ['/test/:name/:last_name/*wild'],
    cases: [{
      from: 'TestRouteParamsByNameWithExtraSlash',
      target: '/test//john//smith//is//super//great',
      route: '/test/:name/:last_name/*wild',
      params: { name: 'john', last_name: 'smith', wild: 'is/super/great' }
    }]
  },
  {
    from: 'TestRouterNotFoundWithRemoveExtraSlash',
    options: [server.withRemoveExtraSlash(true)],
    routes: ['/path', '/'],
    cases: [
      { from: 'TestRouterNotFoundWithRemoveExtraSlash', target: '/../path', route: '/path' },
      { from: 'TestRouterNotFoundWithRemoveExtraSlash', target: '/nope', route: null }
    ]
  }
]

/** TestRouteRawPath and TestRouteRawPathNoUnescape run in server/raw-path.test.ts, for the count. */
const RAW_PATH_ELSEWHERE = 2

t.test('hertz pkg/route/routes_test.go', async t => {
  const r = await runHttpTables(t, tables)
  t.comment(`routes_test.go: ${r.ported + RAW_PATH_ELSEWHERE} cases ported, ${r.departures} departures`)
})
