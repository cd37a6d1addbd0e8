import t, { type Test } from 'tap'
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { start, New } from '@hertz-node/test-kit/router'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'
import { newPathSlashesStripper, newVHostPathRewriter } from './fs.js'

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
