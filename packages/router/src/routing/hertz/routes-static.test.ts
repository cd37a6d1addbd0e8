import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { newPathSlashesStripper, type HandlerFunc } from '../../index.js'
import { runHttpTables, type Answer, type HttpTable } from './runner.js'

// cloudwego/hertz pkg/route/routes_test.go, the static-file tests. Hertz's serve their own folder (and a temp file
// with no extension in it); these serve a temp folder holding such a file. A HEAD answer carries no body on the
// wire, so where Hertz reads a HEAD body off its recorder the status (and the headers) are checked.

const dir = mkdtempSync(join(tmpdir(), 'hertz-static-'))
t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
const NAME = 'hertz1234'
const TEXT = 'Hertz Web Framework'
writeFileSync(join(dir, NAME), TEXT)

/** The answer without its Date header, which may differ by a second between two requests. */
function comparable (a: Answer): object {
  const headers = Object.fromEntries([...a.headers].filter(([k]) => k !== 'date'))
  return { status: a.status, headers, body: a.body }
}

const LM = 'Mon, 02 Jan 2006 15:04:05 MST'
const SF = 'TestRouteStaticFile'
let first: Answer | undefined
let calls = 0

const tables: HttpTable[] = [
  {
    from: SF,
    routes: [],
    setup: h => {
      h.staticFS('/using_static', { root: dir, acceptByteRange: true, pathRewrite: newPathSlashesStripper(1) })
      h.staticFile('/result', join(dir, NAME))
    },
    cases: ['GET', 'HEAD'].flatMap(method => [
      {
        from: SF,
        method,
        target: '/using_static/' + NAME,
        status: 200,
        body: method === 'GET' ? TEXT : '',
        check: (t, a) => {
          first = a
          if (method === 'GET') t.equal(a.headers.get('content-type'), 'text/plain; charset=utf-8')
        }
      },
      {
        from: SF,
        method,
        target: '/result',
        status: 200,
        check: (t, a) => { t.same(comparable(a), comparable(first as Answer), `${method}: staticFS and staticFile answer alike`) }
      }
    ])
  },
  {
    from: 'TestRouteStaticListingDir',
    routes: [],
    setup: h => { h.staticFS('/', { root: dir, generateIndexPages: true }) },
    cases: [{
      from: 'TestRouteStaticListingDir',
      target: '/',
      status: 200,
      check: (t, a) => {
        t.ok(a.body.includes(NAME), 'the listing names the file')
        t.equal(a.headers.get('content-type'), 'text/html; charset=utf-8')
      }
    }]
  },
  {
    from: 'TestRouteStaticNoListing',
    routes: [],
    setup: h => { h.static('/', dir) },
    cases: [{
      from: 'TestRouteStaticNoListing',
      target: '/',
      status: 403,
      check: (t, a) => { t.notOk(a.body.includes(NAME), 'no listing') }
    }]
  },
  {
    from: 'TestRouterMiddlewareAndStatic',
    routes: [],
    setup: h => {
      h.group('/', (_ctx, c) => {
        c.response.header.set('Last-Modified', LM)
        c.response.header.set('Last-Modified', LM)
        c.response.header.set('Expires', LM)
        c.response.header.set('X-Hertz', 'Hertz Framework')
      }).static('/', dir)
    },
    cases: [{
      from: 'TestRouterMiddlewareAndStatic',
      target: '/' + NAME,
      status: 200,
      check: (t, a) => {
        t.ok(a.body.includes(TEXT))
        t.not(a.headers.get('content-type') ?? '', '')
        t.not(a.headers.get('last-modified'), LM, 'the file sets its own Last-Modified')
        t.equal(a.headers.get('expires'), LM)
        t.equal(a.headers.get('x-hertz'), 'Hertz Framework')
      }
    }]
  },
  {
    from: 'TestRouterStaticFSNotFound',
    routes: [],
    setup: h => {
      h.staticFS('/', { root: '/thisreallydoesntexist/' })
      h.noRoute((_ctx, c) => { c.string(404, 'non existent') })
    },
    cases: [
      { from: 'TestRouterStaticFSNotFound', target: '/nonexistent', status: 404, body: 'Cannot open requested path' },
      { from: 'TestRouterStaticFSNotFound', method: 'HEAD', target: '/nonexistent', status: 404 }
    ]
  },
  {
    from: 'TestRouterStaticFSFileNotFound',
    routes: [],
    setup: h => { h.staticFS('/', { root: '.' }) },
    cases: [{ from: 'TestRouterStaticFSFileNotFound', target: '/nonexistent', status: 404 }]
  },
  {
    from: 'TestMiddlewareCalledOnceByRouterStaticFSNotFound',
    routes: [],
    setup: h => {
      const count: HandlerFunc = () => { calls++ }
      h.use(count)
      h.staticFS('/', { root: '/thisreallydoesntexist/' })
    },
    cases: [
      { from: 'TestMiddlewareCalledOnceByRouterStaticFSNotFound', target: '/nonexistent', status: 404, check: t => { t.equal(calls, 1) } },
      { from: 'TestMiddlewareCalledOnceByRouterStaticFSNotFound', method: 'HEAD', target: '/nonexistent', status: 404, check: t => { t.equal(calls, 2) } }
    ]
  }
]

t.test('hertz pkg/route/routes_test.go, static files', async t => {
  const r = await runHttpTables(t, tables)
  t.comment(`routes_test.go (static): ${r.ported} cases ported, ${r.departures} departures`)
})
