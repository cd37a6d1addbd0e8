import t, { type Test } from 'tap'
import { server } from '../../index.js'
import { RouteTable } from '../table.js'
import { runHttpTables, runRegistrations, type HttpCase, type HttpTable, type RegistrationCase, type Tally } from './runner.js'

// cloudwego/hertz pkg/route/tree_test.go, as data. Tree lookups become requests: a nil handler is a 404 (the
// trailing-slash redirect is off where the Hertz test looks at the handler only), a TSR recommendation a 301.

const noTSR = server.withRedirectTrailingSlash(false)

function hit (from: string, target: string, route: string, params?: Record<string, string>): HttpCase {
  return { from, target, route, params }
}
function miss (from: string, target: string): HttpCase {
  return { from, target, route: null }
}
function toggled (p: string): string {
  return p.endsWith('/') ? p.slice(0, -1) : p + '/'
}
function tsr (from: string, target: string): HttpCase {
  return { from, target, status: 301, location: toggled(target) }
}
function reg (from: string, list: Array<[string, boolean]>): { from: string, cases: RegistrationCase[] } {
  return { from, cases: list.map(([path, refused]) => ({ from, path, refused })) }
}

const A = 'TestTreeAddAndGet'
const W = 'TestTreeWildcard'
const D = 'TestTreeDuplicatePath'
const S = 'TestTreeTrailingSlashRedirect'
const S2 = 'TestTreeTrailingSlashRedirect2'
const P = 'TestTreeParamNotOptimize'
const CI = 'TestTreeFindCaseInsensitivePath'

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8')

const tables: HttpTable[] = [{
  from: A,
  options: [noTSR],
  routes: ['/hi', '/contact', '/co', '/c', '/a', '/ab', '/doc/', '/doc/go_faq.html', '/doc/go1.html', '/α', '/β'],
  cases: [
    { from: A, target: '', departure: 'not-a-path' },
    { from: A, target: 'a', departure: 'not-a-path' },
    hit(A, '/a', '/a'),
    miss(A, '/'),
    hit(A, '/hi', '/hi'),
    hit(A, '/contact', '/contact'),
    hit(A, '/co', '/co'),
    miss(A, '/con'),
    miss(A, '/cona'),
    miss(A, '/no'),
    hit(A, '/ab', '/ab'),
    { from: A, target: utf8('/α'), departure: 'raw-non-ascii' },
    { from: A, target: utf8('/β'), departure: 'raw-non-ascii' },
    hit(A + ' (percent-encoded twin)', '/%CE%B1', '/α'),
    hit(A + ' (percent-encoded twin)', '/%CE%B2', '/β')
  ]
}, {
  from: W,
  options: [noTSR],
  routes: ['/', '/cmd/:tool/:sub', '/cmd/:tool/', '/cmd/xxx/', '/src/*filepath', '/search/', '/search/:query',
    '/user_:name', '/user_:name/about', '/files/:dir/*filepath', '/doc/', '/doc/go_faq.html', '/doc/go1.html',
    '/info/:user/public', '/info/:user/project/:project', '/a/b/:c', '/a/:b/c/d', '/a/*b'],
  cases: [
    hit(W, '/', '/'),
    hit(W, '/cmd/test/', '/cmd/:tool/', { tool: 'test' }),
    miss(W, '/cmd/test'),
    hit(W, '/cmd/test/3', '/cmd/:tool/:sub', { tool: 'test', sub: '3' }),
    hit(W, '/src/', '/src/*filepath', { filepath: '' }),
    hit(W, '/src/some/file.png', '/src/*filepath', { filepath: 'some/file.png' }),
    hit(W, '/search/', '/search/'),
    { from: W, target: utf8('/search/someth!ng+in+ünìcodé'), departure: 'raw-non-ascii' },
    hit(W + ' (percent-encoded twin)', '/search/someth!ng+in+%C3%BCn%C3%ACcod%C3%A9', '/search/:query', { query: 'someth!ng+in+ünìcodé' }),
    { from: W, target: utf8('/search/someth!ng+in+ünìcodé/'), departure: 'raw-non-ascii' },
    miss(W + ' (percent-encoded twin)', '/search/someth!ng+in+%C3%BCn%C3%ACcod%C3%A9/'),
    hit(W, '/user_gopher', '/user_:name', { name: 'gopher' }),
    hit(W, '/user_gopher/about', '/user_:name/about', { name: 'gopher' }),
    hit(W, '/files/js/inc/framework.js', '/files/:dir/*filepath', { dir: 'js', filepath: 'inc/framework.js' }),
    hit(W, '/info/gordon/public', '/info/:user/public', { user: 'gordon' }),
    hit(W, '/info/gordon/project/go', '/info/:user/project/:project', { user: 'gordon', project: 'go' }),
    hit(W, '/a/b/c', '/a/b/:c', { c: 'c' }),
    hit(W, '/a/b/c/d', '/a/:b/c/d', { b: 'b' }),
    hit(W, '/a/b', '/a/*b', { b: 'b' })
  ]
}, {
  from: D,
  options: [noTSR],
  routes: ['/', '/doc/', '/src/*filepath', '/search/:query', '/user_:name'],
  cases: [
    hit(D, '/', '/'),
    hit(D, '/doc/', '/doc/'),
    hit(D, '/src/some/file.png', '/src/*filepath', { filepath: 'some/file.png' }),
    { from: D, target: utf8('/search/someth!ng+in+ünìcodé'), departure: 'raw-non-ascii' },
    hit(D, '/user_gopher', '/user_:name', { name: 'gopher' })
  ]
}, {
  from: S2,
  routes: ['/api/:version/seller/locales/get', '/api/v:version/seller/permissions/get',
    '/api/v:version/seller/university/entrance_knowledge_list/get'],
  cases: [
    tsr(S2, '/api/v:version/seller/permissions/get/'),
    tsr(S2, '/api/version/seller/permissions/get/'),
    miss(S2, '/api/v:version/seller/permissions/get/a')
  ]
}, {
  from: S,
  routes: ['/hi', '/b/', '/search/:query', '/cmd/:tool/', '/src/*filepath', '/x', '/x/y', '/y/', '/y/z', '/0/:id',
    '/0/:id/1', '/1/:id/', '/1/:id/2', '/aa', '/a/', '/admin', '/admin/:category', '/admin/:category/:page', '/doc',
    '/doc/go_faq.html', '/doc/go1.html', '/no/a', '/no/b', '/api/hello/:name', '/user/:name/*id', '/resource',
    '/r/*id', '/book/biz/:name', '/book/biz/abc', '/book/biz/abc/bar', '/book/:page/:name', '/book/hello/:name/biz/'],
  cases: [
    ...['/hi/', '/b', '/search/gopher/', '/cmd/vet', '/src', '/x/', '/y', '/0/go/', '/1/go', '/a', '/admin/',
      '/admin/config/', '/admin/config/permissions/', '/doc/', '/user/name', '/r', '/book/hello/a/biz',
      '/book/biz/foo/', '/book/biz/abc/bar/'].map(p => tsr(S, p)),
    ...['/', '/no', '/no/', '/_', '/_/', '/api/world/abc', '/book', '/book/', '/book/hello/a/abc',
      '/book/biz/abc/biz'].map(p => miss(S, p))
  ]
}, {
  from: 'TestTreeRootTrailingSlashRedirect',
  routes: ['/:test'],
  cases: [miss('TestTreeRootTrailingSlashRedirect', '/')]
}, {
  from: P + ' (one order)',
  routes: ['/:parama/start', '/:paramb'],
  cases: [hit(P, '/1', '/:paramb', { paramb: '1' }), hit(P, '/1/start', '/:parama/start', { parama: '1' })]
}, {
  from: P + ' (other order)',
  routes: ['/:paramb', '/:parama/start'],
  cases: [hit(P, '/1/start', '/:parama/start', { parama: '1' }), hit(P, '/1', '/:paramb', { paramb: '1' })]
}]

// TestTreeFindCaseInsensitivePath: the case-fixing redirect, with and without trailing-slash fixing.
const longPath = '/l' + 'o'.repeat(128) + 'ng'
const lOngPath = '/l' + 'O'.repeat(128) + 'ng/'
const ciRoutes = ['/hi', '/b/', '/ABC/', '/search/:query', '/cmd/:tool/', '/src/*filepath', '/x', '/x/y', '/y/', '/y/z',
  '/0/:id', '/0/:id/1', '/1/:id/', '/1/:id/2', '/aa', '/a/', '/doc', '/doc/go_faq.html', '/doc/go1.html',
  '/doc/go/away', '/no/a', '/no/b', '/z/:id/2', '/z/:id/:age', '/x/:id/3/', '/x/:id/3/4', '/x/:id/:age/5', longPath]
const ciTests: Array<[string, string, boolean, boolean]> = [
  ['/HI', '/hi', true, false], ['/HI/', '/hi', true, true], ['/B', '/b/', true, true], ['/B/', '/b/', true, false],
  ['/abc', '/ABC/', true, true], ['/abc/', '/ABC/', true, false], ['/aBc', '/ABC/', true, true],
  ['/aBc/', '/ABC/', true, false], ['/abC', '/ABC/', true, true], ['/abC/', '/ABC/', true, false],
  ['/SEARCH/QUERY', '/search/QUERY', true, false], ['/SEARCH/QUERY/', '/search/QUERY', true, true],
  ['/CMD/TOOL/', '/cmd/TOOL/', true, false], ['/CMD/TOOL', '/cmd/TOOL/', true, true],
  ['/SRC/FILE/PATH', '/src/FILE/PATH', true, false], ['/x/Y', '/x/y', true, false], ['/x/Y/', '/x/y', true, true],
  ['/X/y', '/x/y', true, false], ['/X/y/', '/x/y', true, true], ['/X/Y', '/x/y', true, false],
  ['/X/Y/', '/x/y', true, true], ['/Y/', '/y/', true, false], ['/Y', '/y/', true, true], ['/Y/z', '/y/z', true, false],
  ['/Y/z/', '/y/z', true, true], ['/Y/Z', '/y/z', true, false], ['/Y/Z/', '/y/z', true, true],
  ['/y/Z', '/y/z', true, false], ['/y/Z/', '/y/z', true, true], ['/Aa', '/aa', true, false],
  ['/Aa/', '/aa', true, true], ['/AA', '/aa', true, false], ['/AA/', '/aa', true, true], ['/aA', '/aa', true, false],
  ['/aA/', '/aa', true, true], ['/A/', '/a/', true, false], ['/A', '/a/', true, true], ['/DOC', '/doc', true, false],
  ['/DOC/', '/doc', true, true], ['/NO', '', false, true], ['/DOC/GO', '', false, true],
  ['/Z/1/2', '/z/1/2', true, false], ['/Z/1/3', '/z/1/3', true, false], ['/Z/1/2/', '/z/1/2', true, true],
  ['/Z/1/3/', '/z/1/3', true, true], ['/X/1/3', '/x/1/3/', true, true], ['/X/1/3/5', '/x/1/3/5', true, false],
  [lOngPath, longPath, true, true]
]
// The engine always asks for the trailing-slash fix (Hertz passes its RedirectFixedPath flag), so the lookup without
// it is checked on the table itself, as Hertz's test calls the tree.
tables.push({
  from: CI,
  options: [server.withRedirectFixedPath(true)],
  routes: ciRoutes,
  cases: [
    ...ciRoutes.map(r => hit(CI, r, r)),
    ...ciTests.map(([input, out, found]): HttpCase => found ? { from: CI, target: input, status: 301, location: out } : miss(CI, input))
  ]
})

function caseInsensitiveWithoutSlashFix (t: Test): Tally {
  const table = new RouteTable()
  for (const r of ciRoutes) table.add('GET', r, [() => {}])
  for (const r of ciRoutes) t.equal(table.fixedPath('GET', r, false), r, `${CI} (fixTrailingSlash=false): ${r}`)
  for (const [input, out, found, slash] of ciTests) {
    t.equal(table.fixedPath('GET', input, false), found && !slash ? out : null, `${CI} (fixTrailingSlash=false): ${input}`)
  }
  return { ported: ciRoutes.length + ciTests.length, departures: 0 }
}

// TestUnescapeParameters looks the tree up with unescaping on: the engine does that with withUseRawPath, whose
// parameter values are decoded as Go's url.QueryUnescape (`+` is a space, a bad escape leaves the value as it is).
const UP = 'TestUnescapeParameters'
const unescapeParameters: HttpTable = {
  from: UP,
  options: [server.withUseRawPath(true)],
  routes: ['/', '/cmd/:tool/:sub', '/cmd/:tool/', '/src/*filepath', '/search/:query', '/files/:dir/*filepath',
    '/info/:user/project/:project', '/info/:user'],
  cases: [
    hit(UP, '/', '/'),
    hit(UP, '/cmd/test/', '/cmd/:tool/', { tool: 'test' }),
    tsr(UP, '/cmd/test'),
    hit(UP, '/src/some/file.png', '/src/*filepath', { filepath: 'some/file.png' }),
    hit(UP, '/src/some/file+test.png', '/src/*filepath', { filepath: 'some/file test.png' }),
    hit(UP, '/src/some/file++++%%%%test.png', '/src/*filepath', { filepath: 'some/file++++%%%%test.png' }),
    hit(UP, '/src/some/file%2Ftest.png', '/src/*filepath', { filepath: 'some/file/test.png' }),
    { from: UP, target: utf8('/search/someth!ng+in+ünìcodé'), departure: 'raw-non-ascii' },
    hit(UP + ' (percent-encoded twin)', '/search/someth!ng+in+%C3%BCn%C3%ACcod%C3%A9', '/search/:query', { query: 'someth!ng in ünìcodé' }),
    hit(UP, '/info/gordon/project/go', '/info/:user/project/:project', { user: 'gordon', project: 'go' }),
    hit(UP, '/info/slash%2Fgordon', '/info/:user', { user: 'slash/gordon' }),
    hit(UP, '/info/slash%2Fgordon/project/Project%20%231', '/info/:user/project/:project', { user: 'slash/gordon', project: 'Project #1' }),
    hit(UP, '/info/slash%%%%', '/info/:user', { user: 'slash%%%%' }),
    hit(UP, '/info/slash%%%%2Fgordon/project/Project%%%%20%231', '/info/:user/project/:project',
      { user: 'slash%%%%2Fgordon', project: 'Project%%%%20%231' })
  ]
}

const registrations = [
  reg('TestEmptyPath', [['', true], ['user', true], [':user', true], ['*user', true]]),
  reg('TestTreeWildcardConflict', [['/cmd/vet', false], ['/cmd/:tool/:sub', false], ['/src/*filepath', false],
    ['/src/*filepathx', true], ['/src/', false], ['/src1/', false], ['/src1/*filepath', false],
    ['/src2*filepath', true], ['/search/:query', false], ['/search/invalid', false], ['/user_:name', false],
    ['/user_x', false], ['/user_:name', true], ['/id:id', false], ['/id/:id', false]]),
  reg('TestTreeChildConflict', [['/cmd/vet', false], ['/cmd/:tool/:sub', false], ['/src/AUTHORS', false],
    ['/src/*filepath', false], ['/user_x', false], ['/user_:name', false], ['/id/:id', false], ['/id:id', false],
    ['/:id', false], ['/*filepath', false]]),
  reg('TestTreeDuplicatePath', ['/', '/doc/', '/src/*filepath', '/search/:query', '/user_:name']
    .flatMap((p): Array<[string, boolean]> => [[p, false], [p, true]])),
  reg('TestEmptyWildcardName', [['/user:', true], ['/user:/', true], ['/cmd/:/', true], ['/src/*', true]]),
  reg('TestTreeCatchAllConflict', [['/src/*filepath/x', true], ['/src2/', false], ['/src2/*filepath/x', true],
    ['/src3/*filepath', false], ['/src3/*filepath/x', true]]),
  reg('TestTreeCatchMaxParams', [['/cmd/*filepath', false]]),
  ...['/:foo:bar', '/:foo:bar/', '/:foo*bar'].map(p => reg('TestTreeDoubleWildcard', [[p, true]]))
]

t.test('hertz pkg/route/tree_test.go', async t => {
  const r = runRegistrations(t, registrations)
  const ci = caseInsensitiveWithoutSlashFix(t)
  const h = await runHttpTables(t, [...tables, unescapeParameters])
  t.comment(`tree_test.go: ${r.ported + ci.ported + h.ported} cases ported, ${h.departures} departures`)
})
