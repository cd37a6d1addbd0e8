import t from 'tap'
import { IncomingMessage, ServerResponse, request as httpRequest } from 'node:http'
import { Readable } from 'node:stream'
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { AdaptorError } from './errors.js'
import { Default, New, start } from '@hertz-node/test-kit/router'
import { deferred, waitFor } from '@hertz-node/test-kit/teardown'
import { raw } from '@hertz-node/test-kit/raw-tcp'

t.test('namespace import: handler and its HertzHandler alias are the same function', async (t) => {
  t.equal(adaptor.HertzHandler, adaptor.handler)
  t.type(adaptor.handler, 'function')
  t.type(adaptor.middleware, 'function')
  t.type(adaptor.toNodeHandler, 'function')
  t.type(adaptor.toNodeUpgradeHandler, 'function')
  t.type(adaptor.hijack, 'function')
})

t.test('a non-function is refused with ADAPTOR_ERR_BAD_HANDLER', async (t) => {
  for (const bad of [undefined, null, 42, 'x', {}]) {
    let caught: unknown
    try { adaptor.handler(bad as never) } catch (err) { caught = err }
    t.ok(caught instanceof AdaptorError, `${String(bad)} is refused`)
    t.equal((caught as AdaptorError).code, 'ADAPTOR_ERR_BAD_HANDLER')
    t.match((caught as AdaptorError).message, /expected a function/)
  }
})

t.test('req and res are the real node objects: request line, headers, socket', async (t) => {
  const h = New()
  let seen: Record<string, unknown> = {}
  h.GET('/user/:id', adaptor.handler(function echo (req, res) {
    seen = {
      isReq: req instanceof IncomingMessage,
      isRes: res instanceof ServerResponse,
      method: req.method,
      url: req.url,
      httpVersion: req.httpVersion,
      header: req.headers['x-thing'],
      raw: req.rawHeaders.includes('X-Thing'),
      remote: req.socket.remoteAddress,
      unread: !req.readableEnded
    }
    res.setHeader('Content-Type', 'text/plain')
    res.end('hello ' + req.url)
  }))
  const { url } = await start(t, h)
  const r = await fetch(url + '/user/42?a=1&b=%20x', { headers: { 'X-Thing': 'yes' } })
  t.equal(r.status, 200)
  t.equal(await r.text(), 'hello /user/42?a=1&b=%20x')
  t.same(seen, {
    isReq: true,
    isRes: true,
    method: 'GET',
    url: '/user/42?a=1&b=%20x',
    httpVersion: '1.1',
    header: 'yes',
    raw: true,
    remote: '127.0.0.1',
    unread: true
  })
  t.equal(h.routes()[0]?.handler, 'echo', 'the route lists the wrapped function by name')
})

t.test('headers set on c.response by earlier middleware carry over; the handler\'s own win', async (t) => {
  const h = New()
  h.use((ctx, c) => {
    c.header('X-Request-Id', 'abc')
    c.response.header.add('Set-Cookie', 'a=1')
    c.response.header.add('Set-Cookie', 'b=2')
    c.header('X-Overridden', 'router')
    c.setContentType('text/html')
    return c.next(ctx)
  })
  h.GET('/', adaptor.handler((_req, res) => {
    res.setHeader('X-Overridden', 'handler')
    res.end('ok')
  }))
  const { url } = await start(t, h)
  const r = await fetch(url + '/')
  t.equal(await r.text(), 'ok')
  t.equal(r.headers.get('x-request-id'), 'abc')
  t.same(r.headers.getSetCookie(), ['a=1', 'b=2'])
  t.equal(r.headers.get('x-overridden'), 'handler')
  t.equal(r.headers.get('content-type'), 'text/html')
})

t.test('no double response: keep-alive carries the next request cleanly', async (t) => {
  const h = New()
  h.GET('/a', adaptor.handler((_req, res) => { res.writeHead(201, { 'Content-Length': '1' }); res.end('a') }))
  h.GET('/b', (ctx, c) => { c.string(200, 'b') })
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n')
  const text = await c.until('\r\n\r\nb')
  const statuses = text.match(/HTTP\/1\.1 \d+/g)
  t.same(statuses, ['HTTP/1.1 201', 'HTTP/1.1 200'], 'exactly one response per request')
  t.match(text, /\r\n\r\na(HTTP\/1\.1 200)/, 'the first body is exactly its Content-Length')
})

t.test('without Content-Length the answer is chunked and streams as written', async (t) => {
  const h = New()
  const gate = deferred()
  h.GET('/', adaptor.handler(async (_req, res) => {
    res.write('first|')
    await gate.promise
    res.end('last')
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  const head = await c.until('first|')
  t.match(head, /Transfer-Encoding: chunked/i)
  gate.resolve()
  const all = await c.until('0\r\n\r\n')
  t.match(all, /4\r\nlast\r\n0\r\n\r\n$/)
})

t.test('later middleware sees the real status and byte count once the response is over', async (t) => {
  const h = New()
  const log: string[] = []
  h.use(async (ctx, c) => {
    await c.next(ctx)
    log.push(`${c.response.statusCode()} ${c.response.bytesSent()} finished=${c.res.writableFinished}`)
  })
  h.GET('/sized', adaptor.handler((_req, res) => { res.end('hello') }))
  h.GET('/slow', adaptor.handler((_req, res) => {
    res.statusCode = 418
    res.write('tea')
    setTimeout(() => res.end(), 20)
  }))
  h.GET('/fast', adaptor.handler((_req, res) => { res.statusCode = 202; res.end() }))
  const { url } = await start(t, h)
  const r1 = await fetch(url + '/slow')
  t.equal(await r1.text(), 'tea')
  const r2 = await fetch(url + '/fast')
  await r2.text()
  const r3 = await fetch(url + '/sized')
  t.equal(await r3.text(), 'hello')
  // Chunked 'tea' is 3\r\ntea\r\n0\r\n\r\n on the wire: 13 bytes after the head.
  t.same(log, ['418 13 finished=true', '202 0 finished=true', '200 5 finished=true'])
})

t.test('204, 304 and HEAD never carry a body; 1xx informational answers precede the final one', async (t) => {
  const h = New()
  h.GET('/204', adaptor.handler((_req, res) => { res.writeHead(204); res.end() }))
  h.GET('/304', adaptor.handler((_req, res) => { res.writeHead(304, { ETag: '"x"' }); res.end() }))
  h.handle('HEAD', '/head', adaptor.handler((_req, res) => {
    res.setHeader('Content-Type', 'text/plain')
    res.setHeader('Content-Length', '5')
    res.end('hello')
  }))
  h.GET('/hints', adaptor.handler((_req, res) => {
    res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' })
    res.end('done')
  }))
  h.POST('/continue', adaptor.handler((req, res) => {
    req.resume()
    req.on('end', () => res.end('got it'))
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port,
    'GET /204 HTTP/1.1\r\nHost: x\r\n\r\n' +
    'GET /304 HTTP/1.1\r\nHost: x\r\n\r\n' +
    'HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n' +
    'GET /hints HTTP/1.1\r\nHost: x\r\n\r\n')
  const text = await c.until('done')
  const parts = text.split(/(?=HTTP\/1\.1 )/)
  t.equal(parts.length, 5, 'four answers plus one 103')
  t.match(parts[0], /^HTTP\/1\.1 204 No Content\r\n/)
  t.notMatch(parts[0], /Transfer-Encoding|Content-Length: [1-9]/)
  t.match(parts[1], /^HTTP\/1\.1 304 Not Modified\r\n[^]*ETag: "x"\r\n[^]*\r\n\r\n$/)
  t.match(parts[2], /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 5\r\n[^]*\r\n\r\n$/, 'HEAD: headers only')
  t.match(parts[3], /^HTTP\/1\.1 103 Early Hints\r\n[Ll]ink: <\/style.css>; rel=preload; as=style\r\n\r\n$/)
  t.match(parts[4], /^HTTP\/1\.1 200 OK\r\n[^]*done$/)

  // Expect: 100-continue gets its interim answer before the body is sent.
  const c2 = await raw(t, port, 'POST /continue HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n')
  await c2.until('HTTP/1.1 100 Continue\r\n\r\n')
  c2.socket.write('body')
  const text2 = await c2.until('got it')
  t.match(text2, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/)
})

t.test('the body stream is unread with streaming bodies, replayed when the router read it', async (t) => {
  const collect = adaptor.handler((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (d: Buffer) => chunks.push(d))
    req.on('end', () => {
      res.setHeader('X-Same-Request', String(req.url === '/echo?q=1' && req.headers['x-k'] === 'v'))
      res.end(Buffer.concat(chunks))
    })
  })
  for (const stream of [false, true]) {
    const h = New(server.withStreamBody(stream))
    const buffered: Array<Buffer | null> = []
    h.use((ctx, c) => {
      buffered.push(c.request.bufferedBody())
      return c.next(ctx)
    })
    h.POST('/echo', collect)
    h.POST('/read-first', async (ctx, c) => { await c.body(); return c.next(ctx) }, collect)
    h.GET('/empty', collect)
    const { url } = await start(t, h)
    for (const path of ['/echo?q=1', '/read-first']) {
      const r = await fetch(url + path, { method: 'POST', body: 'payload ' + path, headers: { 'X-K': 'v' } })
      t.equal(await r.text(), 'payload ' + path, `stream=${stream} ${path}`)
      if (path === '/echo?q=1') t.equal(r.headers.get('x-same-request'), 'true')
    }
    const r = await fetch(url + '/empty')
    t.equal(await r.text(), '', `stream=${stream}: a request without a body ends at once`)
    t.equal(buffered[0] === null, stream, `stream=${stream}: the router ${stream ? 'left the body unread' : 'read the body'}`)
  }
})

t.test('fn throws or rejects before writing: the router\'s error path answers (500 under Default)', async (t) => {
  for (const make of [Default, New]) {
    const h = make()
    h.GET('/sync', adaptor.handler((_req, res) => {
      res.setHeader('X-Leaked', 'no')
      throw new Error('sync boom')
    }))
    h.GET('/async', adaptor.handler(async (_req, res) => {
      res.setHeader('Content-Length', '999')
      await new Promise((resolve) => setTimeout(resolve, 5))
      throw new Error('async boom')
    }))
    h.GET('/ok', adaptor.handler((_req, res) => res.end('still serving')))
    const { url, logger } = await start(t, h)
    for (const path of ['/sync', '/async']) {
      const r = await fetch(url + path)
      t.equal(r.status, 500, `${make.name} ${path}`)
      t.equal(r.headers.get('x-leaked'), null, 'headers of the failed handler are not sent')
      await r.text()
    }
    t.match(logger.text(), /sync boom/)
    t.match(logger.text(), /async boom/)
    t.equal(await (await fetch(url + '/ok')).text(), 'still serving')
  }
})

t.test('fn fails after writing: the connection is destroyed, the error logged, nothing else written', async (t) => {
  const h = Default()
  h.GET('/sync', adaptor.handler((_req, res) => {
    res.writeHead(200, { 'Content-Length': '100' })
    res.write('partial')
    throw new Error('late sync')
  }))
  h.GET('/async', adaptor.handler(async (_req, res) => {
    res.write('partial')
    await new Promise((resolve) => setTimeout(resolve, 5))
    throw new Error('late async')
  }))
  h.GET('/after-end', adaptor.handler(async (_req, res) => {
    res.end('complete')
    await new Promise((resolve) => setTimeout(resolve, 5))
    throw new Error('after end')
  }))
  const { port, url, logger } = await start(t, h)
  for (const path of ['/sync', '/async']) {
    const c = await raw(t, port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
    await c.closed
    const text = c.text()
    t.equal(text.match(/HTTP\/1\.1/g)?.length, 1, `${path}: one status line, no 500 appended`)
    t.match(text, /partial/)
    t.notMatch(text, /0\r\n\r\n$/, `${path}: the body is not terminated as if complete`)
  }
  const r = await fetch(url + '/after-end')
  t.equal(await r.text(), 'complete')
  await waitFor(() => /after end/.test(logger.text()))
  const text = logger.text()
  t.match(text, /late sync/)
  t.match(text, /late async/)
  t.match(text, /after end/)
  t.notMatch(text, /\[Recovery\][^\n]*late/, 'no 500 was attempted for an answered request')
})

t.test('a handler that never answers settles when the client goes away', async (t) => {
  const h = New()
  const settled = deferred<string>()
  h.use(async (ctx, c) => {
    await c.next(ctx)
    settled.resolve(`settled destroyed=${c.res.destroyed}`)
  })
  h.GET('/', adaptor.handler(() => { /* never answers */ }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((resolve) => setTimeout(resolve, 20))
  c.socket.destroy()
  t.equal(await settled.promise, 'settled destroyed=true')
})

t.test('a piped source that breaks off destroys the response instead of hanging it', async (t) => {
  const h = New()
  const settled = deferred()
  h.use(async (ctx, c) => { await c.next(ctx); settled.resolve() })
  h.GET('/', adaptor.handler((_req, res) => {
    const src = new Readable({ read () {} })
    src.push('some bytes ')
    src.on('error', () => { /* the response is what must not hang */ })
    src.pipe(res)
    setTimeout(() => src.destroy(new Error('disk on fire')), 20)
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  await c.closed
  await settled.promise
  t.match(c.text(), /some bytes/)
  t.notMatch(c.text(), /0\r\n\r\n$/)
})

t.test('requests run independently over one server: HTTP/1.0 and a request-level ServerResponse', async (t) => {
  const h = New()
  h.GET('/', adaptor.handler((req, res) => { res.end(`v${req.httpVersion}`) }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET / HTTP/1.0\r\n\r\n')
  await c.closed
  t.match(c.text(), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nv1\.0$/)
  const body = await new Promise<string>((resolve, reject) => {
    const r = httpRequest({ port, host: '127.0.0.1', path: '/', agent: false }, (res) => {
      let s = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { s += d })
      res.on('end', () => resolve(s))
    })
    r.on('error', reject)
    r.end()
  })
  t.equal(body, 'v1.1')
})

t.test('during graceful shutdown a wrapped handler\'s answer says Connection: close', async (t) => {
  const h = New()
  const entered = deferred()
  const gate = deferred()
  h.GET('/slow', adaptor.handler(async (_req, res) => {
    entered.resolve()
    await gate.promise
    res.end('bye')
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await entered.promise
  const down = h.shutdown()
  gate.resolve()
  const text = await c.until('bye')
  t.match(text, /\r\nConnection: close\r\n/i)
  await c.closed
  await down
  t.equal(h.activeRequests, 0, 'the shutdown waited for the answer, which closed its connection')
  t.ok(h.isClosing())
})

t.test('pipelined requests: a queued response waits its turn and both complete in order', async (t) => {
  const h = New()
  const log: string[] = []
  h.use(async (ctx, c) => { await c.next(ctx); log.push(`${c.path()} ${c.response.statusCode()}`) })
  h.GET('/slow', adaptor.handler((_req, res) => { setTimeout(() => res.end('slow'), 30) }))
  h.GET('/fast', adaptor.handler((_req, res) => { res.statusCode = 203; res.end('fast') }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n')
  const text = await c.until('fast')
  t.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*slowHTTP\/1\.1 203 Non-Authoritative Information\r\n[^]*fast$/)
  await waitFor(() => log.length === 2)
  t.same(log.sort(), ['/fast 203', '/slow 200'])
})

t.test('writes after the client left are harmless; a thrown non-Error is reported too', async (t) => {
  const h = Default()
  const left = deferred()
  const wrote = deferred<boolean>()
  h.GET('/late', adaptor.handler(async (_req, res) => {
    await left.promise
    await new Promise((resolve) => setTimeout(resolve, 20))
    wrote.resolve(res.write('nobody listens'))
    res.end()
  }))
  // A thrown non-Error is what this route is about.
  // eslint-disable-next-line no-throw-literal
  h.GET('/string', adaptor.handler(() => { throw 'plain string' }))
  const { port, url, logger } = await start(t, h)
  const c = await raw(t, port, 'GET /late HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((resolve) => setTimeout(resolve, 20))
  c.socket.destroy()
  left.resolve()
  t.equal(await wrote.promise, false, 'the write is refused quietly')
  const r = await fetch(url + '/string')
  t.equal(r.status, 500)
  await r.text()
  t.match(logger.text(), /plain string/)
})
