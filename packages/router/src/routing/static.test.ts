import t, { type Test } from 'tap'
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { start, rawExchange, New } from '../test-util/http.js'

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
