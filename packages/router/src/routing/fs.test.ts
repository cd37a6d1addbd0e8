import t, { type Test } from 'tap'
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { start, New } from '@hertz-node/test-kit/router'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'
import { newPathSlashesStripper, newVHostPathRewriter, type FS } from './fs.js'

const TEXT = 'console.log("hello")\n'.repeat(200)

function fixture (t: Test): string {
  const base = mkdtempSync(join(tmpdir(), 'hertz-fs-'))
  t.teardown(() => { rmSync(base, { recursive: true, force: true }) })
  mkdirSync(join(base, 'assets', 'docs', 'deep'), { recursive: true })
  mkdirSync(join(base, 'assets', 'site'), { recursive: true })
  mkdirSync(join(base, 'example.com'), { recursive: true })
  writeFileSync(join(base, 'assets', 'app.js'), TEXT)
  writeFileSync(join(base, 'assets', 'digits.txt'), '0123456789')
  writeFileSync(join(base, 'assets', 'site', 'index.html'), '<h1>site</h1>')
  writeFileSync(join(base, 'assets', 'docs', '<b>&"name.txt'), 'x')
  writeFileSync(join(base, 'example.com', 'v.txt'), 'vhost')
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET')
  symlinkSync(join(base, 'secret.txt'), join(base, 'assets', 'out.txt'))
  return base
}

/** A GET with the raw node client (no decompression, no header clean-up). */
function get (url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number, headers: Record<string, unknown>, body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, method }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }) })
    })
    req.on('error', reject)
    req.end()
  })
}

t.test('staticFS: root + request path, index names, listing, 403, pathNotFound', async t => {
  const base = fixture(t)
  const h = New()
  h.staticFS('/assets', { root: base, indexNames: ['index.html'], generateIndexPages: true })
  h.staticFS('/plain', { root: join(base, 'assets'), pathRewrite: newPathSlashesStripper(1) })
  h.staticFS('/nf', { root: base, pathNotFound: (_ctx, c) => { c.string(c.response.statusCode(), 'custom 404 for %s', c.path()) } })
  const { url } = await start(t, h)
  let r = await get(url + '/assets/app.js')
  t.equal(r.status, 200)
  t.equal(r.headers['content-type'], 'text/javascript; charset=utf-8')
  t.equal(r.body.toString(), TEXT)
  t.notOk(r.headers['accept-ranges'], 'no Accept-Ranges unless acceptByteRange')
  r = await get(url + '/assets/site/')
  t.equal(r.body.toString(), '<h1>site</h1>', 'index name')
  r = await get(url + '/assets/site')
  t.equal(r.body.toString(), '<h1>site</h1>', 'index name without the trailing slash')
  r = await get(url + '/assets/docs')
  t.equal(r.status, 200)
  t.equal(r.headers['content-type'], 'text/html; charset=utf-8')
  const page = r.body.toString()
  t.match(page, '<a href="/assets/docs/deep/" class="dir">deep</a>')
  t.match(page, '<a href="/assets/docs/%3Cb%3E%26%22name.txt" class="file">&#60;b&#62;&#38;&#34;name.txt</a>, file, 1 bytes')
  t.notMatch(page, '<b>&"', 'the file name is escaped')
  r = await get(url + '/plain/digits.txt')
  t.equal(r.body.toString(), '0123456789', 'pathRewrite: slashes stripper')
  r = await get(url + '/plain/site/')
  t.equal(r.status, 403, 'a directory without index or listing')
  r = await get(url + '/plain/nope')
  t.equal(r.status, 404)
  t.equal(r.body.toString(), 'Cannot open requested path')
  r = await get(url + '/nf/nope.txt')
  t.same([r.status, r.body.toString()], [404, 'custom 404 for /nf/nope.txt'])
})

t.test('staticFS byte ranges (Hertz ParseByteRange cases)', async t => {
  const base = fixture(t)
  const h = New()
  h.staticFS('/assets', { root: base, acceptByteRange: true })
  const { url } = await start(t, h)
  const cases: Array<[string, number, string, string | undefined]> = [
    ['bytes=0-3', 206, '0123', 'bytes 0-3/10'],
    ['bytes=5-', 206, '56789', 'bytes 5-9/10'],
    ['bytes=-3', 206, '789', 'bytes 7-9/10'],
    ['bytes=-30', 206, '0123456789', 'bytes 0-9/10'],
    ['bytes=8-100', 206, '89', 'bytes 8-9/10'],
    ['bytes=10-', 416, 'Range Not Satisfiable', 'bytes */10'],
    ['bytes=5-2', 416, 'Range Not Satisfiable', 'bytes */10'],
    ['bytes=0-1,3-4', 416, 'Range Not Satisfiable', 'bytes */10'],
    ['items=0-1', 416, 'Range Not Satisfiable', 'bytes */10']
  ]
  for (const [range, status, body, contentRange] of cases) {
    const r = await get(url + '/assets/digits.txt', { range })
    t.equal(r.status, status, range)
    t.equal(r.body.toString(), body, range)
    t.equal(r.headers['content-range'], contentRange, range)
  }
  const whole = await get(url + '/assets/digits.txt')
  t.equal(whole.headers['accept-ranges'], 'bytes')
  const head = await get(url + '/assets/digits.txt', { range: 'bytes=2-4' }, 'HEAD')
  t.same([head.status, head.headers['content-length'], head.body.length], [206, '3', 0])
})

t.test('staticFS compress: gzip for a client that accepts it, never for a range or a binary type', async t => {
  const base = fixture(t)
  writeFileSync(join(base, 'assets', 'blob.bin'), Buffer.alloc(1000, 1))
  const h = New()
  h.staticFS('/assets', { root: base, compress: true, acceptByteRange: true })
  const { url } = await start(t, h)
  let r = await get(url + '/assets/app.js', { 'accept-encoding': 'gzip, deflate' })
  t.equal(r.headers['content-encoding'], 'gzip')
  t.equal(gunzipSync(r.body).toString(), TEXT)
  t.ok(r.body.length < TEXT.length)
  r = await get(url + '/assets/app.js', { 'accept-encoding': 'gzip;q=0, br' })
  t.notOk(r.headers['content-encoding'], 'gzip refused with q=0')
  r = await get(url + '/assets/app.js')
  t.notOk(r.headers['content-encoding'])
  t.equal(r.body.toString(), TEXT)
  r = await get(url + '/assets/app.js', { 'accept-encoding': 'gzip', range: 'bytes=0-6' })
  t.same([r.status, r.headers['content-encoding'], r.body.toString()], [206, undefined, 'console'])
  r = await get(url + '/assets/blob.bin', { 'accept-encoding': 'gzip' })
  t.notOk(r.headers['content-encoding'], 'binary not compressed')
})

t.test('staticFS stays inside its root: traversal, NUL, symlinks, a rewrite with /../, vhosts', async t => {
  const base = fixture(t)
  const h = New()
  h.staticFS('/assets', { root: join(base, 'assets'), pathRewrite: newPathSlashesStripper(1) })
  h.staticFS('/evil', { root: join(base, 'assets'), pathRewrite: c => '/x/../' + c.path() })
  h.staticFS('/v', { root: base, pathRewrite: newVHostPathRewriter(1) })
  const { port, url } = await start(t, h)
  for (const target of ['/assets/..%2f..%2fsecret.txt', '/assets/../secret.txt', '/assets/%2e%2e/secret.txt', '/assets/out.txt']) {
    const { text } = await rawExchange(t, port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    t.notMatch(text, 'TOP SECRET', target)
    t.match(text, /^HTTP\/1\.1 404 /, target)
  }
  const nul = await rawExchange(t, port, 'GET /assets/a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(nul.text, /^HTTP\/1\.1 400 [\s\S]*Are you a hacker\?$/)
  t.equal((await get(url + '/evil/secret.txt')).status, 500, 'a rewritten path with /../ is refused')
  const v = await get(url + '/v/v.txt', { host: 'example.com' })
  t.equal(v.body.toString(), 'vhost')
  const bad = await rawExchange(t, port, 'GET /v/secret.txt HTTP/1.1\r\nHost: ..\r\nConnection: close\r\n\r\n')
  t.match(bad.text, /^HTTP\/1\.1 404 /, 'a host of .. cannot climb out')
  t.throws(() => h.staticFS('/x/:p', { root: base }), { code: 'HERTZ_ERR_BAD_ROUTE' })
})

t.test('c.fileFromFS runs the whole FS handler, with c.path() the file path meanwhile, put back for the handlers after', async t => {
  const base = fixture(t)
  const assets = join(base, 'assets')
  const full: FS = { root: assets, indexNames: ['index.html'], generateIndexPages: true, compress: true, acceptByteRange: true }
  const seen: string[] = []
  const rewritten: FS = { root: base, pathRewrite: c => { seen.push(c.path()); return '/assets' + c.path() } }
  const custom404: FS = { root: base, pathNotFound: (_ctx, c) => { c.string(c.response.statusCode(), 'no %s', c.path()) } }
  const throwing: FS = { root: base, pathNotFound: () => { throw new Error('from pathNotFound') } }
  const h = New()
  // What the handlers after the file see: the route's own path and pattern, also when the FS handler threw.
  h.use(async (ctx, c) => {
    try {
      await c.next(ctx)
    } catch (err) {
      c.string(500, '%s', (err as { code?: string }).code ?? (err as Error).message)
    }
    c.header('X-After', `${c.path()} ${c.fullPath()}`)
  })
  h.GET('/ffs/:name', (_ctx, c) => c.fileFromFS(c.query('p'), full))
  h.GET('/encoded', (_ctx, c) => c.fileFromFS('dig%69ts.txt', full))
  h.GET('/rewritten', (_ctx, c) => c.fileFromFS('digits.txt', rewritten))
  h.GET('/custom404', (_ctx, c) => c.fileFromFS('nope.txt', custom404))
  h.GET('/throwing', (_ctx, c) => c.fileFromFS('nope.txt', throwing))
  h.GET('/bad', (_ctx, c) => c.fileFromFS('digits.txt', null as unknown as FS))
  const { url } = await start(t, h)

  let r = await get(url + '/ffs/x?p=site')
  t.same([r.status, r.body.toString()], [200, '<h1>site</h1>'], 'index names')
  t.equal(r.headers['x-after'], '/ffs/x /ffs/:name', 'c.path() and c.fullPath() are the route\'s again')
  r = await get(url + '/ffs/x?p=/docs/')
  t.equal(r.status, 200, 'a generated listing')
  t.match(r.body.toString(), '<a href="/docs/deep/" class="dir">deep</a>', 'of the file path, as Hertz\'s page of the URI it set')
  r = await get(url + '/ffs/x?p=digits.txt', { range: 'bytes=2-4' })
  t.same([r.status, r.headers['content-range'], r.body.toString()], [206, 'bytes 2-4/10', '234'], 'byte ranges')
  r = await get(url + '/ffs/x?p=app.js', { 'accept-encoding': 'gzip' })
  t.equal(r.headers['content-encoding'], 'gzip', 'compression')
  t.equal((r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body).toString(), TEXT)
  r = await get(url + '/ffs/x?p=out.txt')
  t.same([r.status, r.body.toString()], [404, 'Cannot open requested path'], 'a symlink leading out of the root is not followed')
  r = await get(url + '/ffs/x?p=../../secret.txt')
  t.equal(r.status, 404, '.. never climbs above the root')
  r = await get(url + '/ffs/x?p=a%2500b')
  t.same([r.status, r.body.toString()], [400, 'Are you a hacker?'], 'the file path is decoded as a request path: a NUL')
  r = await get(url + '/encoded')
  t.same([r.status, r.body.toString()], [200, '0123456789'], 'the file path is decoded as a request path')
  r = await get(url + '/rewritten')
  t.same([r.status, r.body.toString(), seen], [200, '0123456789', ['/digits.txt']], 'pathRewrite sees the file path as c.path()')
  t.equal(r.headers['x-after'], '/rewritten /rewritten')
  r = await get(url + '/custom404')
  t.same([r.status, r.body.toString()], [404, 'no /nope.txt'], 'pathNotFound sees it too')
  t.equal(r.headers['x-after'], '/custom404 /custom404')
  r = await get(url + '/throwing')
  t.same([r.status, r.body.toString(), r.headers['x-after']], [500, 'from pathNotFound', '/throwing /throwing'], 'put back when the FS handler throws')
  r = await get(url + '/bad')
  t.same([r.status, r.body.toString()], [500, 'HERTZ_ERR_BAD_OPTION'], 'an fs that is not an object')
})

t.test('an FS\'s handler is built once, its root resolved then, and shared by staticFS and every c.fileFromFS (as Hertz\'s NewRequestHandler)', async t => {
  const base = fixture(t)
  const fs: FS = { root: join(base, 'assets') }
  const h = New()
  h.staticFS('/', fs)
  h.GET('/ffs', (_ctx, c) => c.fileFromFS('digits.txt', fs))
  const { url } = await start(t, h)
  t.equal((await get(url + '/digits.txt')).body.toString(), '0123456789')
  // A later change to the object rebuilds nothing: c.fileFromFS runs the handler staticFS built.
  fs.root = join(base, 'example.com')
  const r = await get(url + '/ffs')
  t.same([r.status, r.body.toString()], [200, '0123456789'])
  t.equal((await get(url + '/digits.txt')).status, 200)
})
