// pkg/app/fs_test.go of cloudwego/hertz (at ae439be), ported as data: each row names the Hertz test it comes from,
// is written byte for byte on a raw socket to a server on 127.0.0.1 and checks what the Hertz test checks of the
// answer. Where Hertz calls an FS handler, ServeFile or FileFromFS on a bare context, a route does the same here
// (h.staticFS, c.file, c.fileFromFS). Rows that cannot pass on Node stand in the router README's departures table;
// the tests of Hertz's internals (its `.hertz.gz` cache, its readers) are listed there as not ported.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import t, { type Test } from 'tap'
import { newPathSlashesStripper, newVHostPathRewriter, type FS, type Hertz } from '../index.js'
import { New, start } from '@hertz-node/test-kit/router'
import { buildRequest, decodedBody, sendBytes, type SentBytes } from '@hertz-node/test-kit/raw-case'
import { DEPARTURES, type Departure } from './hertz/runner.js'

const HERE = new URL('.', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'hertz-fs-port-'))
t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })

function put (path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true })
  writeFileSync(join(dir, path), content)
}

// Hertz's tests serve fs.go, their own source; a Go-like text of the same kind (compressible, tens of KB) here.
const GO = Buffer.from(Array.from({ length: 600 }, (_, i) => `// line ${i} of a Go source\nfunc f${i}() int { return ${i} }\n`).join(''))
put('fs.go', GO)
put('hello', 'hello, world!')
put('test.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]))
for (const p of ['foobar.com/foo/bar/baz', 'aaa.bbb.cc/three/four', 'invalid-host/foo/bar/baz']) put('vhost/' + p, p)
// TestStripPathSlashes: each folder names itself in its index file, so the answer says which path was served.
for (const p of ['', '/foo', '/foo/bar', '/foo/bar/baz', '/bar', '/bar/baz', '/baz']) put(`strip${p}/index.txt`, p === '' ? '(root)' : p)
for (const p of ['foo.bar', 'foobar', 'foo.bar.baz', 'a/b/c.d/efg.jpg']) put('ext/' + p, 'hello')
const SIZES = [1, 12, 56, 123, 234, 456, 545, 600, 1234, 1235, 2345, 6790]
for (const n of SIZES) put(`sized/${n}`, Buffer.alloc(n, 'x'))

/** One request and what Hertz's test asserts of its answer. */
interface Row {
  /** The Hertz test (and the arguments of the row, when it has several). */
  hertz: string
  method?: string
  target: string
  headers?: Record<string, string>
  status?: number
  /** The body; with `gzip`, what it gunzips to. */
  body?: string | Buffer
  /** The answer is gzipped (true) or not (false). */
  gzip?: boolean
  /** Exact header values (undefined: absent). */
  want?: Record<string, string | undefined>
  departure?: Departure
}

/** A server set up as the Hertz test sets up its handler, and the rows it answers. */
interface Table { setup: (h: Hertz) => void, rows: Row[] }

function exchange (t: Test, port: number, method: string, target: string, headers: Record<string, string> = {}): Promise<SentBytes> {
  return sendBytes(t, port, buildRequest(method, target, headers), method === 'HEAD')
}

let ported = 0
let departures = 0

/** Sends `row` and checks its answer (a departure: that Node answers it 400). */
async function check (t: Test, port: number, row: Row): Promise<void> {
  const method = row.method ?? 'GET'
  const name = `${row.hertz}: ${method} ${row.target}`
  const a = await exchange(t, port, method, row.target, row.headers)
  if (row.departure !== undefined) {
    t.equal(a.status, 400, `${name} (departure: ${DEPARTURES[row.departure]})`)
    return
  }
  t.equal(a.status, row.status ?? 200, name)
  if (row.gzip !== undefined) t.equal(a.headers['content-encoding'], row.gzip ? 'gzip' : undefined, name + ' Content-Encoding')
  if (row.body !== undefined) t.same(decodedBody(a), Buffer.from(row.body), name + ' body')
  for (const [k, v] of Object.entries(row.want ?? {})) t.equal(a.headers[k], v, `${name} ${k}`)
}

async function runTable (t: Test, table: Table): Promise<void> {
  const h = New()
  table.setup(h)
  const { port } = await start(t, h)
  for (const row of table.rows) {
    ported++
    if (row.departure !== undefined) departures++
    await check(t, port, row)
  }
}

/** Hertz's `testFSByteRange`: one `Range: bytes=start-end` of `/fs.go`, answered 206 with exactly those bytes. */
function rangeRow (hertz: string, start: number, end: number): Row {
  return {
    hertz,
    target: '/fs.go',
    headers: { Range: `bytes=${start}-${end}` },
    status: 206,
    body: GO.subarray(start, end + 1),
    want: { 'content-range': `bytes ${start}-${end}/${GO.length}` }
  }
}

/** Hertz picks its ranges with math/rand; a fixed generator here, so a failure can be replayed. */
function ranges (hertz: string, n: number, seed: number): Row[] {
  let s = seed
  const next = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s % GO.length }
  return Array.from({ length: n }, () => {
    const a = next()
    const b = next()
    return rangeRow(hertz, Math.min(a, b), Math.max(a, b))
  })
}

/** Hertz's `testFSCompress`: `path` plain, then with `Accept-Encoding: gzip`, which gunzips to the plain body. */
async function testFSCompress (t: Test, port: number, hertz: string, path: string): Promise<void> {
  const plain = await exchange(t, port, 'GET', path)
  t.equal(plain.status, 200, `${hertz}: ${path}`)
  t.equal(plain.headers['content-encoding'], undefined, `${hertz}: ${path} plain`)
  const zipped = await exchange(t, port, 'GET', path, { 'Accept-Encoding': 'gzip' })
  t.equal(zipped.status, 200, `${hertz}: ${path} gzip`)
  t.equal(zipped.headers['content-encoding'], 'gzip', `${hertz}: ${path} gzip`)
  t.same(decodedBody(zipped), plain.body, `${hertz}: ${path} gunzips to the plain body`)
}

const stripFS: FS = {
  root: join(dir, 'strip'),
  indexNames: ['index.txt'],
  // The row's slashesCount comes with the request: one FS serves every row.
  pathRewrite: c => newPathSlashesStripper(Number(c.query('n')))(c)
}
const strip = (path: string, n: number, expected: string): Row => path === ''
  ? { hertz: `TestStripPathSlashes ('', ${n})`, target: `?n=${n}`, departure: 'not-a-path' }
  : { hertz: `TestStripPathSlashes ('${path}', ${n})`, target: `${path}?n=${n}`, body: expected === '' ? '(root)' : expected }
const byteRange = (v: string, size: number, start: number, end: number): Row => ({
  hertz: `TestParseByteRangeSuccess (${v}, ${size})`, target: `/sized/${size}`, headers: { Range: v }, status: 206, want: { 'content-range': `bytes ${start}-${end}/${size}` }
})
const badRange = (v: string, size: number): Row => ({
  hertz: `TestParseByteRangeError (${v}, ${size})`, target: `/sized/${size}`, headers: { Range: v }, status: 416, body: 'Range Not Satisfiable'
})

const tables: Record<string, Table> = {
  'NewVHostPathRewriter(0)': {
    setup: h => { h.staticFS('/', { root: join(dir, 'vhost'), pathRewrite: newVHostPathRewriter(0) }) },
    rows: [
      { hertz: 'TestNewVHostPathRewriter', target: '/foo/bar/baz', headers: { Host: 'foobar.com' }, body: 'foobar.com/foo/bar/baz' },
      { hertz: 'TestNewVHostPathRewriterMaliciousHost', target: '/foo/bar/baz', headers: { Host: '/../../../etc/passwd' }, body: 'invalid-host/foo/bar/baz' }
    ]
  },
  'NewVHostPathRewriter(2)': {
    setup: h => { h.staticFS('/', { root: join(dir, 'vhost'), pathRewrite: newVHostPathRewriter(2) }) },
    rows: [
      // Hertz sets the absolute URI on its request, whose host comes from it; a client sends the same Host.
      { hertz: 'TestNewVHostPathRewriter', target: 'https://aaa.bbb.cc/one/two/three/four?asdf=dsf', headers: { Host: 'aaa.bbb.cc' }, body: 'aaa.bbb.cc/three/four' }
    ]
  },
  'FileFromFS with Hertz\'s request URI': {
    setup: h => {
      // Hertz sets the request URI `http//some.url/file` and runs the FS handler: c.fileFromFS does exactly that.
      h.GET('/nil', (_ctx, c) => c.fileFromFS('http//some.url/file', { root: './' }))
      h.GET('/func', (_ctx, c) => c.fileFromFS('http//some.url/file', { root: './', pathNotFound: (_ctx, c) => { c.writeString('Not found hehe') } }))
    },
    rows: [
      { hertz: 'TestPathNotFound', target: '/nil', status: 404, body: 'Cannot open requested path' },
      { hertz: 'TestPathNotFoundFunc', target: '/func', status: 404, body: 'Not found hehe' }
    ]
  },
  ServeFile: {
    setup: h => {
      h.handle('GET', '/serve', (_ctx, c) => c.file(join(dir, c.query('f'))))
      h.handle('HEAD', '/serve', (_ctx, c) => c.file(join(dir, c.query('f'))))
      // ServeFileUncompressed is ServeFile after deleting the request's Accept-Encoding.
      h.GET('/uncompressed', (_ctx, c) => { delete c.req.headers['accept-encoding']; return c.file(join(dir, c.query('f'))) })
      // Hertz serves a relative path (`../common/testdata/test.png`): one relative to the working directory here.
      h.GET('/relative', (_ctx, c) => c.file(relative(process.cwd(), join(dir, c.query('f')))))
    },
    rows: [
      { hertz: 'TestServeFileHead', method: 'HEAD', target: '/serve?f=fs.go', body: '', gzip: false, want: { 'content-length': String(GO.length) } },
      { hertz: 'TestServeFileSmallNoReadFrom (the body)', target: '/serve?f=hello', body: 'hello, world!', want: { 'content-length': '13' } },
      { hertz: 'TestServeFileCompressed', target: '/serve?f=fs.go', headers: { 'Accept-Encoding': 'gzip' }, gzip: true, body: GO },
      { hertz: 'TestServeFileUncompressed', target: '/uncompressed?f=fs.go', headers: { 'Accept-Encoding': 'gzip' }, gzip: false, body: GO },
      { hertz: 'TestServeFileContentType', target: '/relative?f=test.png', want: { 'content-type': 'image/png' } },
      // fileExtension(path, false, ...): the type is the last extension's of the file name, sniffed when unknown.
      ...([['foo.bar', 'text/plain; charset=utf-8'], ['foobar', 'text/plain; charset=utf-8'], ['foo.bar.baz', 'text/plain; charset=utf-8'],
        ['a/b/c.d/efg.jpg', 'image/jpeg']] as const).map(([f, type]): Row => (
        { hertz: `TestFileExtension (${f}, false)`, target: `/serve?f=ext/${f}`, want: { 'content-type': type } }))
    ]
  },
  'FS{AcceptByteRange}': {
    setup: h => { h.staticFS('/', { root: dir, acceptByteRange: true }) },
    rows: [
      ...ranges('TestFSByteRangeSingleThread', 1, 1),
      byteRange('bytes=0-0', 1, 0, 0),
      byteRange('bytes=1234-6789', 6790, 1234, 6789),
      byteRange('bytes=123-', 456, 123, 455),
      byteRange('bytes=-1', 1, 0, 0),
      byteRange('bytes=-123', 456, 333, 455),
      byteRange('bytes=1-2345', 234, 1, 233),
      byteRange('bytes=0-2345', 2345, 0, 2344),
      byteRange('bytes=-567', 56, 0, 55),
      badRange('asdfasdfas', 1234),
      badRange('foobar=1-34', 600),
      badRange('bytes=1234', 1235),
      badRange('bytes=foobar', 123),
      badRange('bytes=1-foobar', 123),
      badRange('bytes=df-344', 545),
      badRange('bytes=1-2,4-6', 123),
      badRange('bytes=123-', 12),
      badRange('bytes=123-34', 1234)
    ]
  },
  'FS{PathRewrite: NewPathSlashesStripper}': {
    setup: h => { h.staticFS('/', stripFS) },
    rows: [
      strip('', 0, ''),
      strip('', 10, ''),
      strip('/', 0, ''),
      strip('/', 1, ''),
      strip('/', 10, ''),
      strip('/foo/bar/baz', 0, '/foo/bar/baz'),
      strip('/foo/bar/baz', 1, '/bar/baz'),
      strip('/foo/bar/baz', 2, '/baz'),
      strip('/foo/bar/baz', 3, ''),
      strip('/foo/bar/baz', 10, ''),
      strip('/foo/bar/', 0, '/foo/bar'),
      strip('/foo/bar/', 1, '/bar'),
      strip('/foo/bar/', 2, ''),
      strip('/foo/bar/', 3, '')
    ]
  }
}

for (const [name, table] of Object.entries(tables)) {
  t.test(name, t => runTable(t, table))
}

t.test('TestFSByteRangeConcurrent: 10 clients, 5 ranges each, at once', async t => {
  const h = New()
  h.staticFS('/', { root: dir, acceptByteRange: true })
  const { port } = await start(t, h)
  ported++
  await Promise.all(Array.from({ length: 10 }, async (_, i) => {
    for (const row of ranges('TestFSByteRangeConcurrent', 5, i + 2)) await check(t, port, row)
  }))
})

for (const concurrent of [false, true]) {
  const hertz = concurrent ? 'TestFSCompressConcurrent' : 'TestFSCompressSingleThread'
  t.test(`${hertz}: FS{GenerateIndexPages, Compress}, /fs.go and the generated / page`, async t => {
    const h = New()
    h.staticFS('/', { root: dir, generateIndexPages: true, compress: true })
    const { port } = await start(t, h)
    ported += 2
    const run = async (): Promise<void> => {
      await testFSCompress(t, port, hertz, '/fs.go')
      await testFSCompress(t, port, hertz, '/')
    }
    if (!concurrent) {
      await run()
      return
    }
    await Promise.all(Array.from({ length: 4 }, async () => { for (let j = 0; j < 5; j++) await run() }))
  })
}

t.test('the ported file reads as Hertz: every Hertz test is here or in the README', async t => {
  const src = readFileSync(new URL(import.meta.url), 'utf8')
  const names = readFileSync(join(HERE, 'testdata', 'fs_test.names.txt'), 'utf8').trim().split('\n')
  const readme = readFileSync(join(HERE, '..', '..', 'README.md'), 'utf8')
  t.same(names.filter(n => !src.includes(`'${n}`) && !src.includes(`${n} `) && !readme.includes('`' + n + '`')), [])
  t.comment(`fs_test.go: ${ported} cases ported, ${ported - departures} pass, ${departures} departures`)
})
