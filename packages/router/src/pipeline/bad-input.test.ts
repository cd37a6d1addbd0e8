import t from 'tap'
import { server } from '../index.js'
import { start, New, Default } from '@hertz-node/test-kit/router'
import { rawExchange, pipelinedPair, openSocket, readUntil } from '@hertz-node/test-kit/raw-tcp'
import { sleep } from '@hertz-node/test-kit/teardown'

// Every case of "bad input" answered over a real socket: a status, a closed or still-usable connection, no crash.

t.test('malformed request line: 400 and the connection closes', async t => {
  const h = New()
  const { port } = await start(t, h)
  for (const line of ['GARBAGE\r\n\r\n', 'GET / HTTP/9.x\r\n\r\n', 'GET /\x01bad HTTP/1.1\r\nHost: x\r\n\r\n', 'G@T / HTTP/1.1\r\n\r\n']) {
    const r = await rawExchange(t, port, line)
    t.ok(r.closed, JSON.stringify(line) + ' closes')
    t.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\nError when parsing request$/, JSON.stringify(line))
  }
})

t.test('path not starting with /: 400', async t => {
  const h = New()
  h.GET('/', (_ctx, c) => { c.string(200, 'root') })
  h.GET('/p', (_ctx, c) => { c.string(200, 'p') })
  const { port } = await start(t, h)
  const r = await rawExchange(t, port, 'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\nBad Request$/)
  const bare = await rawExchange(t, port, 'GET p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(bare.text, /^HTTP\/1\.1 400 /)
  const abs = await rawExchange(t, port, 'GET http://x/p?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(abs.text, /^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\np$/, 'absolute-form targets are routed by their path')
})

t.test('missing Host on HTTP/1.1: 400 (HTTP/1.0 without Host is fine)', async t => {
  const h = New()
  h.GET('/', (_ctx, c) => { c.string(200, 'root') })
  const { port } = await start(t, h)
  const r = await rawExchange(t, port, 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n')
  t.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\nmissing required Host header$/)
  const old = await rawExchange(t, port, 'GET / HTTP/1.0\r\n\r\n')
  t.match(old.text, /^HTTP\/1\.1 200 OK[\s\S]*root$/)
})

t.test('header too large: 431', async t => {
  const h = New(server.withMaxHeaderBytes(2048))
  h.GET('/', (_ctx, c) => { c.string(200, 'root') })
  const { port } = await start(t, h)
  const r = await rawExchange(t, port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`)
  t.ok(r.closed)
  t.match(r.text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
  const ok = await rawExchange(t, port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(ok.text, /200 OK/)
})

t.test('body over the limit: 413 by Content-Length and by chunked stream, connection closed', async t => {
  const h = New(server.withMaxRequestBodySize(1000))
  let ran = 0
  h.POST('/up', async (_ctx, c) => { ran++; c.string(200, String((await c.body()).length)) })
  const { port, url } = await start(t, h)
  const declared = await rawExchange(t, port, `POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n${'a'.repeat(100)}`)
  t.ok(declared.closed)
  t.match(declared.text, /^HTTP\/1\.1 413 [^\r]*\r\n[\s\S]*Connection: close[\s\S]*\r\n\r\nRequest Entity Too Large$/)

  const chunk = 'a'.repeat(600)
  const chunked = await rawExchange(t, port, 'POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
    `258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`)
  t.ok(chunked.closed)
  t.match(chunked.text, /^HTTP\/1\.1 413 /)
  t.equal(ran, 0, 'the handler never ran')

  const fine = await fetch(url + '/up', { method: 'POST', body: 'a'.repeat(1000) })
  t.equal(await fine.text(), '1000', 'exactly the limit is accepted')
})

t.test('Expect: 100-continue: a declared body over the limit gets 413 without a 100; one within gets 100 first', async t => {
  const h = New(server.withMaxRequestBodySize(1000))
  let ran = 0
  h.POST('/up', async (_ctx, c) => { ran++; c.string(200, String((await c.body()).length)) })
  const { port } = await start(t, h)
  const big = await rawExchange(t, port, 'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n')
  t.ok(big.closed)
  t.match(big.text, /^HTTP\/1\.1 413 [^\r]*\r\n[\s\S]*Connection: close[\s\S]*\r\n\r\nRequest Entity Too Large$/, 'the 413 directly')
  t.notMatch(big.text, /100 Continue/)
  t.equal(ran, 0)

  const s = await openSocket(t, port)
  s.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n')
  t.match(await readUntil(s, x => x.includes('\r\n\r\n')), /^HTTP\/1\.1 100 Continue\r\n\r\n$/)
  s.write('abc')
  t.match(await readUntil(s, x => x.endsWith('\r\n\r\n3')), /HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n3$/)
})

t.test('CONNECT: an authority-form target is answered 400 and closed; a path is routed like an upgrade', async t => {
  const h = New()
  h.any('/tunnel', (_ctx, c) => { c.string(200, 'tunnel %s upgrade=%v', c.method(), c.isUpgrade()) })
  const { port } = await start(t, h)
  const authority = await rawExchange(t, port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')
  t.ok(authority.closed)
  t.match(authority.text, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\nBad Request$/)
  const routed = await rawExchange(t, port, 'CONNECT /tunnel HTTP/1.1\r\nHost: x\r\n\r\n')
  t.ok(routed.closed, 'closed after the answer, as an upgrade nobody hijacks')
  t.match(routed.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\ntunnel CONNECT upgrade=true$/)
})

t.test('client disconnects mid-body and mid-handler: no unhandled error, context released, server fine', async t => {
  const h = Default()
  let handlerSawAbort = false
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  h.POST('/slow-body', (_ctx, c) => { c.string(200, 'never') })
  h.GET('/slow-handler', async (ctx, c) => {
    const signal = ctx.signal
    await new Promise<void>(resolve => { signal.addEventListener('abort', () => { resolve() }) })
    handlerSawAbort = signal.aborted && (signal.reason as { code?: string }).code === 'HERTZ_ERR_CLIENT_CLOSED'
    release()
    c.string(200, 'too late')
  })
  h.GET('/ok', (_ctx, c) => { c.string(200, 'ok') })
  const { port, url, logger } = await start(t, h)

  let s = await openSocket(t, port)
  s.write('POST /slow-body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part')
  await sleep(30)
  t.equal(h.activeRequests, 1, 'the request is in flight while its body is read')
  s.destroy()

  s = await openSocket(t, port)
  s.write('GET /slow-handler HTTP/1.1\r\nHost: x\r\n\r\n')
  await sleep(30)
  s.destroy()
  await gate
  await sleep(20)
  t.ok(handlerSawAbort, 'the handler\'s signal aborted with HERTZ_ERR_CLIENT_CLOSED')
  t.equal(h.activeRequests, 0, 'both contexts released')
  t.equal(await (await fetch(url + '/ok')).text(), 'ok')
  t.notMatch(logger.text(), /error/, 'nothing logged as an error')
})

t.test('read timeout: a request body that never completes gets 408', async t => {
  const h = New(server.withReadTimeout(200))
  h.POST('/p', (_ctx, c) => { c.string(200, 'never') })
  const { port } = await start(t, h)
  const r = await rawExchange(t, port, 'POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc', 3000)
  t.ok(r.closed)
  t.match(r.text, /^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*Request timeout$/)
})

t.test('header timeout: headers that never complete get 408', async t => {
  const h = New(server.withReadHeaderTimeout(150))
  const { port } = await start(t, h)
  const r = await rawExchange(t, port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', 3000)
  t.ok(r.closed)
  t.match(r.text, /^HTTP\/1\.1 408 /)
})

t.test('idle timeout closes keep-alive connections; 0 disables keep-alive', async t => {
  const h = New(server.withIdleTimeout(150))
  h.GET('/', (_ctx, c) => { c.string(200, 'x') })
  const { port } = await start(t, h)
  const s = await openSocket(t, port)
  s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  const first = await readUntil(s, x => x.endsWith('\r\n\r\nx'))
  t.match(first, /Keep-Alive: timeout=0|Connection: keep-alive/i)
  const started = Date.now()
  await new Promise<void>(resolve => { s.once('close', () => { resolve() }) })
  t.ok(Date.now() - started < 2000, 'closed by the server while idle')

  const none = New(server.withIdleTimeout(0))
  none.GET('/', (_ctx, c) => { c.string(200, 'x') })
  const n = await start(t, none)
  const r = await rawExchange(t, n.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  t.ok(r.closed)
  t.match(r.text, /Connection: close/)
})

t.test('an upgrade client that leaves mid-chain aborts the signal; nothing crashes', async t => {
  const h = Default()
  let reason = ''
  h.GET('/ws', async (ctx, c) => {
    await new Promise<void>(resolve => { ctx.signal.addEventListener('abort', () => { resolve() }) })
    reason = (ctx.signal.reason as { code?: string }).code ?? ''
    c.hijack(() => { t.fail('a gone client is never hijacked') })
  })
  h.GET('/ok', (_ctx, c) => { c.string(200, 'ok') })
  const { port, url, logger } = await start(t, h)
  const s = await openSocket(t, port)
  s.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n')
  await sleep(30)
  s.destroy()
  await sleep(50)
  t.equal(reason, 'HERTZ_ERR_CLIENT_CLOSED')
  t.equal(h.activeRequests, 0)
  t.equal(await (await fetch(url + '/ok')).text(), 'ok')
  t.notMatch(logger.text(), /error/)
})

t.test('an upgrade client that half-closes (FIN) before any answer aborts the signal and is closed', async t => {
  const h = Default()
  let reason = ''
  let clientSawClose!: () => void
  const sawClose = new Promise<void>(resolve => { clientSawClose = resolve })
  let chainEnded!: () => void
  const ended = new Promise<void>(resolve => { chainEnded = resolve })
  h.GET('/ws', async (ctx, c) => {
    await new Promise<void>(resolve => { ctx.signal.addEventListener('abort', () => { resolve() }) })
    reason = (ctx.signal.reason as { code?: string }).code ?? ''
    // The chain keeps running until the client has seen its socket closed: the router must not wait for it.
    await Promise.race([sawClose, sleep(3000)])
    c.hijack(() => { t.fail('a gone client is never hijacked') })
    chainEnded()
  })
  h.GET('/ok', (_ctx, c) => { c.string(200, 'ok') })
  const { port, url, logger } = await start(t, h)
  const s = await openSocket(t, port)
  let received = ''
  s.on('data', (d: Buffer) => { received += d.toString('latin1') })
  s.once('close', () => { clientSawClose() })
  s.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n')
  await sleep(30)
  s.end()
  const first = await Promise.race([sawClose.then(() => 'closed'), ended.then(() => 'chain ended first')])
  t.equal(first, 'closed', 'the socket was destroyed while the chain still ran')
  await ended
  t.equal(reason, 'HERTZ_ERR_CLIENT_CLOSED')
  t.equal(received, '', 'nothing was answered to a gone client')
  await sleep(20)
  t.equal(h.activeRequests, 0)
  t.equal(await (await fetch(url + '/ok')).text(), 'ok')
  t.notMatch(logger.text(), /error/)
})

t.test('a redirect target with CR/LF is refused with a whole 500; non-ASCII is percent-escaped as Go does', async t => {
  const h = New()
  h.GET('/crlf', (_ctx, c) => { c.redirect(302, '/a\r\nX-Injected: yes') })
  h.GET('/lf', (_ctx, c) => { c.redirect(301, '/a\nX-Injected: yes') })
  h.GET('/bad-header', (_ctx, c) => { c.header('X-Bad', 'a\rb'); c.string(201, 'never') })
  h.GET('/euro', (_ctx, c) => { c.redirect(302, '/caf€/ü?q=é&r=%20 ok#frag') })
  h.GET('/latin1', (_ctx, c) => { c.redirect(307, 'http://example.com/é') })
  h.GET('/next', (_ctx, c) => { c.string(200, 'next') })
  const { port } = await start(t, h)
  for (const path of ['/crlf', '/lf', '/bad-header']) {
    const r = await rawExchange(t, port, pipelinedPair(path))
    t.match(r.text, /^HTTP\/1\.1 500 Internal Server Error\r\n(?:[^\r]+\r\n)*Content-Length: 21\r\n(?:[^\r]+\r\n)*\r\nInternal Server ErrorHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nnext$/,
      path + ': 500 with its own reason phrase, and the connection still in step')
    t.notMatch(r.text, /X-Injected|Location|X-Bad/i, path + ': nothing of the refused header is sent')
  }
  const euro = await rawExchange(t, port, 'GET /euro HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(euro.text, /^HTTP\/1\.1 302 Found\r\n(?:[^\r]+\r\n)*Location: \/caf%E2%82%AC\/%C3%BC\?q=%C3%A9&r=%20 ok#frag\r\n/,
    'each byte of a non-ASCII character is escaped; ASCII, escapes already there and the fragment are kept')
  const latin1 = await rawExchange(t, port, 'GET /latin1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(latin1.text, /^HTTP\/1\.1 307 Temporary Redirect\r\n(?:[^\r]+\r\n)*Location: http:\/\/example\.com\/%C3%A9\r\n/,
    'a character node would send as one latin1 byte is escaped as its UTF-8 bytes')
})
