import t from 'tap'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'
import { start, New } from '@hertz-node/test-kit/router'

// Trailing-slash redirects put X-Forwarded-Prefix before the path, as Hertz does; a prefix that is not a clean
// absolute path is ignored, so the Location can never point at another host.

function location (text: string): string | undefined {
  return /\r\nLocation: ([^\r]*)\r\n/i.exec(text)?.[1]
}

t.test('X-Forwarded-Prefix on trailing-slash redirects, hostile spellings ignored', async t => {
  const h = New()
  h.GET('/path2/', (_ctx, c) => { c.string(200, 'ok') })
  const { port } = await start(t, h)
  const cases: Array<[string | null, string]> = [
    ['/api', '/api/path2/'],
    ['/api/', '/api/path2/'],
    ['/a/b/../c', '/a/c/path2/'],
    ['/api%20v1', '/api%20v1/path2/'],
    ['/', '/path2/'],
    [null, '/path2/'],
    ['', '/path2/'],
    ['//evil.com', '/evil.com/path2/'],
    ['///evil.com', '/evil.com/path2/'],
    ['/\\evil.com', '/path2/'],
    ['\\\\evil.com', '/path2/'],
    ['/%2F/evil.com', '/path2/'],
    ['/%2fevil.com', '/path2/'],
    ['/%5Cevil.com', '/path2/'],
    ['/%5cevil.com', '/path2/'],
    ['http://evil.com', '/path2/'],
    ['evil.com', '/path2/'],
    ['/api?x=1', '/path2/'],
    ['/api#x', '/path2/'],
    ['/a b', '/path2/'],
    ['/a\tb', '/path2/'],
    ['/%zz', '/path2/'],
    ['/../..//evil.com', '/evil.com/path2/']
  ]
  for (const [prefix, want] of cases) {
    const header = prefix === null ? '' : `X-Forwarded-Prefix: ${prefix}\r\n`
    const a = await rawExchange(t, port, `GET /path2?q=1 HTTP/1.1\r\nHost: x\r\n${header}Connection: close\r\n\r\n`)
    t.match(a.text, /^HTTP\/1\.1 301 /, String(prefix))
    const loc = location(a.text)
    t.equal(loc, want + '?q=1', `${String(prefix)} -> ${want}`)
    t.notMatch(loc ?? '', /^[/\\][/\\]/, 'never protocol-relative')
  }
})
