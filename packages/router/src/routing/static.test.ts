import t, { type Test } from 'tap'
import { mkdtempSync, mkdirSync, writeFileSync, appendFileSync, truncateSync, symlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { start, New } from '@hertz-node/test-kit/router'
import { rawExchange, pipelinedPair } from '@hertz-node/test-kit/raw-tcp'
import { buildRequest, decodedBody, sendBytes, type SentBytes } from '@hertz-node/test-kit/raw-case'

function fixture (t: Test): { base: string, root: string } {
  const base = mkdtempSync(join(tmpdir(), 'hertz-static-'))
  t.teardown(() => { rmSync(base, { recursive: true, force: true }) })
  const root = join(base, 'public')
  mkdirSync(join(root, 'sub'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<h1>home</h1>')
  writeFileSync(join(root, 'sub', 'app.js'), 'console.log(1)')
  writeFileSync(join(root, 'weird name.txt'), 'spaced')
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET')
  writeFileSync(join(base, 'public-evil.txt'), 'TOP SECRET sibling')
  symlinkSync(join(base, 'secret.txt'), join(root, 'link-out.txt'))
  symlinkSync(join(root, 'index.html'), join(root, 'link-in.html'))
  return { base, root }
}

t.test('static serves files below the root with type, length and last-modified', async t => {
  const { root, base } = fixture(t)
  const h = New()
  h.static('/assets', root)
  h.staticFile('/favicon', join(root, 'index.html'))
  h.staticFile('/gone', join(base, 'missing.txt'))
  h.GET('/file', (_ctx, c) => c.file(join(root, 'sub', 'app.js')))
  const { url } = await start(t, h)
  let r = await fetch(url + '/assets/index.html')
  t.equal(r.status, 200)
  t.equal(r.headers.get('content-type'), 'text/html; charset=utf-8')
  t.equal(r.headers.get('content-length'), '13')
  t.equal(await r.text(), '<h1>home</h1>')
  const lm = r.headers.get('last-modified') as string
  t.ok(lm)
  r = await fetch(url + '/assets/sub/app.js')
  t.equal(r.headers.get('content-type'), 'text/javascript; charset=utf-8')
  t.equal(await r.text(), 'console.log(1)')
  r = await fetch(url + '/assets/weird%20name.txt')
  t.equal(await r.text(), 'spaced')
  r = await fetch(url + '/assets/link-in.html')
  t.equal(await r.text(), '<h1>home</h1>', 'a symlink that stays inside is fine')
  r = await fetch(url + '/assets/index.html', { headers: { 'if-modified-since': lm } })
  t.equal(r.status, 304)
  r = await fetch(url + '/assets/index.html', { method: 'HEAD' })
  t.equal(r.status, 200)
  t.equal(r.headers.get('content-length'), '13')
  r = await fetch(url + '/assets/sub')
  t.equal(r.status, 403)
  r = await fetch(url + '/assets/nope.txt')
  t.equal(r.status, 404)
  r = await fetch(url + '/favicon')
  t.equal(await r.text(), '<h1>home</h1>')
  r = await fetch(url + '/file')
  t.equal(await r.text(), 'console.log(1)', 'c.file()')
  r = await fetch(url + '/gone')
  t.equal(r.status, 404)
})

t.test('static can never serve a file outside its root', async t => {
  const { root } = fixture(t)
  const h = New()
  h.static('/assets', root)
  const { port } = await start(t, h)
  const attempts = [
    '/assets/../secret.txt',
    '/assets/%2e%2e/secret.txt',
    '/assets/%2E%2E%2Fsecret.txt',
    '/assets/..%2fsecret.txt',
    '/assets/sub/../../secret.txt',
    '/assets/..\\secret.txt',
    '/assets/%5c..%5csecret.txt',
    '/assets/..%5csecret.txt',
    '/assets/....//secret.txt',
    '/assets/%252e%252e/secret.txt',
    '/assets/link-out.txt',
    '/assets/../public-evil.txt',
    '/assets/%00../secret.txt',
    '/assets/sub%00/../../secret.txt',
    '/assets//../secret.txt'
  ]
  for (const p of attempts) {
    const r = await rawExchange(t, port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    t.notMatch(r.text, /SECRET/, p)
    t.match(r.text, /^HTTP\/1\.1 (400|404) /, p + ' answers 404 (or 400 from the parser)')
  }
})

/**
 * Serves a file holding `content` at /file and, on the same keep-alive connection, /next; `change` alters the file
 * after sendFile has taken its length and before the body is read (which happens once the chain is over).
 */
async function fileChangedWhileSent (t: Test, content: string, change: (file: string) => void): Promise<{ text: string, closed: boolean, log: string }> {
  const { root } = fixture(t)
  const file = join(root, 'changing.txt')
  writeFileSync(file, content)
  const h = New()
  h.GET('/file', async (_ctx, c) => {
    await c.file(file)
    change(file)
  })
  h.GET('/next', (_ctx, c) => { c.string(200, 'next') })
  const { port, logger } = await start(t, h)
  const r = await rawExchange(t, port, pipelinedPair('/file'))
  return { ...r, log: logger.text() }
}

t.test('a file that grows after its length was taken sends exactly that length: the next response is intact', async t => {
  const r = await fileChangedWhileSent(t, 'hello', file => {
    appendFileSync(file, 'HTTP/1.1 200 OK\r\nX-Injected: yes\r\nContent-Length: 0\r\n\r\n')
  })
  t.ok(r.closed)
  t.notMatch(r.text, /X-Injected/, 'no bytes beyond the declared length')
  t.match(r.text, /^HTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*Content-Length: 5\r\n(?:[^\r]+\r\n)*\r\nhelloHTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*\r\nnext$/,
    'the body is the 5 bytes stat() saw, followed at once by the next response')
})

t.test('a file that shrinks after its length was taken cuts the connection instead of sending a short body', async t => {
  const r = await fileChangedWhileSent(t, 'hello world', file => { truncateSync(file, 3) })
  t.ok(r.closed, 'the connection closes')
  t.match(r.text, /^HTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*Content-Length: 11\r\n(?:[^\r]+\r\n)*\r\nhel$/,
    'the 3 bytes left, then the end of the connection: the next response is never read as body')
  t.match(r.log, /3 of 11/)
})

t.test('If-Modified-Since counts only when it is an HTTP-date', async t => {
  const { root } = fixture(t)
  const h = New()
  h.static('/assets', root)
  h.POST('/post', (_ctx, c) => c.file(join(root, 'index.html')))
  const { port } = await start(t, h)
  const ask = (since: string, path = '/assets/index.html', method = 'GET', extra = ''): Promise<{ text: string }> =>
    rawExchange(t, port, `${method} ${path} HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: ${since}\r\n${extra}Connection: close\r\n\r\n`)
  for (const since of ['3000', 'Dec 3000', '2030-01-01', '+275760-09-13T00:00:00Z', 'Tue, 01 Jan 2999 00:00:00',
    'Tue, 1 Jan 2999 00:00:00 GMT', 'Tue, 01 Jan 2999 00:00:00 +0000', 'tue, 01 jan 2999 00:00:00 gmt',
    'Sat, 31 Feb 2099 00:00:00 GMT']) {
    t.match((await ask(since)).text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*<h1>home<\/h1>$/, `${since}: not an HTTP-date, the file is sent`)
  }
  for (const since of ['Fri, 31 Dec 2999 23:59:59 GMT', 'Friday, 31-Dec-66 23:59:59 GMT', 'Fri Dec 31 23:59:59 2999']) {
    t.match((await ask(since)).text, /^HTTP\/1\.1 304 Not Modified\r\n/, `${since}: an HTTP-date in the future, 304`)
  }
  t.match((await ask('Thu, 01 Jan 1970 00:00:00 GMT')).text, /^HTTP\/1\.1 200 OK\r\n/, 'older than the file: 200')
  const future = 'Fri, 31 Dec 2999 23:59:59 GMT'
  t.match((await ask(future, '/assets/index.html', 'GET', 'If-None-Match: "x"\r\n')).text, /^HTTP\/1\.1 200 OK\r\n/,
    'ignored when If-None-Match is present (RFC 9110 §13.1.3)')
  t.match((await ask(future, '/post', 'POST', 'Content-Length: 0\r\n')).text, /^HTTP\/1\.1 200 OK\r\n/,
    'ignored for methods other than GET and HEAD')
})

t.test('a trailing slash is stripped as Hertz does: the file is served, a directory is still forbidden', async t => {
  const { root } = fixture(t)
  const h = New()
  h.static('/assets', root)
  h.staticFile('/one', join(root, 'index.html'))
  const { port } = await start(t, h)
  const get = (path: string): Promise<{ text: string }> =>
    rawExchange(t, port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
  t.match((await get('/assets/index.html/')).text, /^HTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*Content-Length: 13\r\n[\s\S]*\r\n\r\n<h1>home<\/h1>$/)
  t.match((await get('/assets/sub/app.js//')).text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nconsole\.log\(1\)$/)
  t.match((await get('/assets/sub')).text, /^HTTP\/1\.1 403 Forbidden\r\n[\s\S]*\r\n\r\nDirectory index is forbidden$/, 'no redirect to sub/')
  t.match((await get('/assets/sub/')).text, /^HTTP\/1\.1 403 Forbidden\r\n/)
  t.match((await get('/assets/nope.txt/')).text, /^HTTP\/1\.1 404 Not Found\r\n/)
  t.match((await get('/one/')).text, /^HTTP\/1\.1 301 Moved Permanently\r\n(?:[^\r]+\r\n)*Location: \/one\r\n/,
    'a StaticFile route is an ordinary route: the router\'s trailing-slash redirect')
})

t.test('staticFile and c.file serve byte ranges, as Hertz\'s ServeFile does', async t => {
  const { root } = fixture(t)
  const h = New()
  h.staticFile('/one', join(root, 'index.html'))
  h.GET('/file', async (_ctx, c) => { await c.file(join(root, 'index.html')) })
  const { port } = await start(t, h)
  for (const target of ['/one', '/file']) {
    const a = await rawExchange(t, port, `GET ${target} HTTP/1.1\r\nHost: x\r\nRange: bytes=4-7\r\nConnection: close\r\n\r\n`)
    t.match(a.text, /^HTTP\/1\.1 206 /, target)
    t.match(a.text, /\r\nAccept-Ranges: bytes\r\n/i, target)
    t.match(a.text, /\r\nContent-Range: bytes 4-7\/13\r\n/i, target)
    t.match(a.text, /\r\n\r\nhome$/, target)
  }
})

t.test('c.file, c.fileAttachment and staticFile answer as Hertz\'s ServeFile: gzip for a client that takes it, a listing for a directory', async t => {
  const { root } = fixture(t)
  const app = join(root, 'sub', 'app.js')
  const h = New()
  h.staticFile('/one', app)
  h.staticFile('/dir-route', join(root, 'sub'))
  for (const method of ['GET', 'HEAD']) {
    h.handle(method, '/file', (_ctx, c) => c.file(app))
    h.handle(method, '/attach', (_ctx, c) => c.fileAttachment(app, 'app.js'))
  }
  h.GET('/dir', (_ctx, c) => c.file(root))
  const { port } = await start(t, h)
  const ask = (target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<SentBytes> =>
    sendBytes(t, port, buildRequest(method, target, headers), method === 'HEAD')
  for (const target of ['/one', '/file', '/attach']) {
    const z = await ask(target, { 'Accept-Encoding': 'gzip, deflate' })
    t.equal(z.status, 200, target)
    t.equal(z.headers['content-encoding'], 'gzip', target + ': gzipped')
    t.equal(z.headers.vary, 'Accept-Encoding', target)
    t.equal(decodedBody(z).toString(), 'console.log(1)', target)
    const plain = await ask(target)
    t.same([plain.headers['content-encoding'], plain.headers['content-length'], plain.body.toString()], [undefined, '14', 'console.log(1)'],
      target + ': no Accept-Encoding, no gzip')
    const head = await ask(target, { 'Accept-Encoding': 'gzip' }, 'HEAD')
    t.same([head.headers['content-encoding'], head.headers['content-length']], [undefined, '14'], target + ': HEAD is never gzipped')
    const range = await ask(target, { 'Accept-Encoding': 'gzip', Range: 'bytes=0-6' })
    t.same([range.status, range.headers['content-encoding'], range.body.toString()], [206, undefined, 'console'], target + ': a range is never gzipped')
  }
  t.equal((await ask('/attach', { 'Accept-Encoding': 'gzip' })).headers['content-disposition'], 'attachment; filename="app.js"')

  const page = await ask('/dir')
  t.equal(page.status, 200, 'c.file of a directory: its listing')
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8')
  // Hertz's ServeFile makes the file's path the request path: the page is the directory's own path.
  t.match(page.body.toString(), `<title>${root}/</title>`)
  t.match(page.body.toString(), `<a href="${root}/index.html" class="file">index.html</a>, file, 13 bytes`)
  t.match(page.body.toString(), `<a href="${root}/sub/" class="dir">sub</a>`)
  t.match(page.body.toString(), '<a href="' + root + '/../" class="dir">..</a>')
  const zpage = await ask('/dir', { 'Accept-Encoding': 'gzip' })
  t.equal(zpage.headers['content-encoding'], 'gzip', 'the listing is gzipped too')
  t.same(decodedBody(zpage), page.body)
  const sub = await ask('/dir-route')
  t.equal(sub.status, 200, 'staticFile of a directory: its listing')
  t.match(sub.body.toString(), `<a href="${root}/sub/app.js" class="file">app.js</a>`)
})
