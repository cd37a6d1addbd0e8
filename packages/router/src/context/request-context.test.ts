import t from 'tap'
import { server, HertzError, withValue, type HandlerFunc, type RequestContext } from '../index.js'
import { start, New, Default } from '@hertz-node/test-kit/router'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'

t.test('flow: onion order, abort, next twice is harmless', async t => {
  const h = New()
  const log: string[] = []
  h.use(async (ctx, c) => {
    log.push('a>')
    await c.next(ctx)
    await c.next(ctx)
    log.push('<a')
  })
  h.GET('/onion', (ctx, c) => {
    log.push('b>')
    const r = c.next(ctx)
    log.push('<b')
    return r
  }, async (_ctx, c) => {
    await new Promise(resolve => setTimeout(resolve, 5))
    log.push('handler')
    c.string(200, 'done')
  })
  h.GET('/abort', (_ctx, c) => {
    c.abortWithStatus(401)
    t.ok(c.isAborted())
  }, () => { log.push('must not run') })
  const { url } = await start(t, h)

  let r = await fetch(url + '/onion')
  t.equal(await r.text(), 'done')
  t.same(log, ['a>', 'b>', '<b', 'handler', '<a'], 'async chain awaited, second next() ran nothing')
  log.length = 0
  r = await fetch(url + '/abort')
  t.equal(r.status, 401)
  t.same(log, ['a>', '<a'])
})

t.test('async chain: the last handler\'s promise is the chain\'s; a cursor moved back before it returns still runs on', async t => {
  const h = New()
  let lastPromise: Promise<void> | null = null
  let sameAsLast: boolean | null = null
  h.GET('/last', async (ctx, c) => {
    const r = c.next(ctx)
    sameAsLast = r === lastPromise
    await r
    c.header('X-After', 'yes')
  }, (_ctx, c) => {
    lastPromise = (async () => {
      await new Promise(resolve => setTimeout(resolve, 5))
      c.string(200, 'last')
    })()
    return lastPromise
  })
  const runs: string[] = []
  h.GET('/rewind', () => {
    runs.push('first')
  }, (_ctx, c) => {
    runs.push('second')
    // Moved back in the synchronous part, as a Go handler would before returning: the chain goes on from there.
    if (runs.length === 2) c.setIndex(-1)
    return new Promise<void>(resolve => setTimeout(resolve, 5))
  }, (_ctx, c) => {
    runs.push('third')
    c.string(200, runs.join(','))
  })
  h.GET('/reject', async () => {
    await new Promise(resolve => setTimeout(resolve, 1))
    throw new Error('late failure')
  })
  const { port, logger } = await start(t, h)
  const last = await fetch(`http://127.0.0.1:${port}/last`)
  t.equal(last.status, 200)
  t.equal(await last.text(), 'last')
  t.equal(last.headers.get('x-after'), 'yes', 'the middleware ran on after the last handler settled')
  t.equal(sameAsLast, true, 'c.next() handed back the last handler\'s own promise')
  const rewind = await fetch(`http://127.0.0.1:${port}/rewind`)
  t.equal(await rewind.text(), 'first,second,first,second,third')
  const rejected = await fetch(`http://127.0.0.1:${port}/reject`)
  t.equal(rejected.status, 500, 'a rejection of the last handler\'s own promise is answered as any error')
  t.match(logger.text(), /late failure/)
})

t.test('abortWithMsg clears headers and body first; abortWithStatusJSON', async t => {
  const h = New()
  h.GET('/msg', (_ctx, c) => {
    c.header('X-Gone', 'yes')
    c.string(200, 'partial')
    c.abortWithMsg('denied', 403)
  }, () => { throw new Error('unreachable') })
  h.GET('/json', (_ctx, c) => { c.abortWithStatusJSON(422, { error: 'bad' }) }, () => { throw new Error('unreachable') })
  const { url } = await start(t, h)
  let r = await fetch(url + '/msg')
  t.equal(r.status, 403)
  t.equal(r.headers.get('x-gone'), null)
  t.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8')
  t.equal(await r.text(), 'denied')
  r = await fetch(url + '/json')
  t.equal(r.status, 422)
  t.equal(r.headers.get('content-type'), 'application/json; charset=utf-8')
  t.same(await r.json(), { error: 'bad' })
})

t.test('output helpers', async t => {
  const h = New()
  h.GET('/string', (_ctx, c) => { c.string(201, 'n=%d s=%s v=%v q=%q pct=%% bool=%t', 4.9, 'x', { a: 1 }, 'hi', true) })
  h.GET('/string-raw', (_ctx, c) => { c.string(200, '100% raw') })
  h.GET('/string-missing', (_ctx, c) => { c.string(200, '%s and %s', 'one') })
  h.GET('/data', (_ctx, c) => { c.data(200, 'application/octet-stream', new Uint8Array([1, 2, 3])) })
  h.GET('/html', (_ctx, c) => { c.html(200, '<b>hi</b>') })
  h.GET('/redirect', (_ctx, c) => { c.redirect(308, '/elsewhere') })
  h.GET('/redirect-bad', (_ctx, c) => { c.redirect(200, '/elsewhere') })
  h.GET('/notfound', (_ctx, c) => { c.header('X-Drop', '1'); c.notFound() })
  h.GET('/sink', (_ctx, c) => {
    c.setContentType('text/html; charset=utf-8')
    const template = {
      execute (w: { writeString: (s: string) => number, write: (b: Uint8Array) => number }, data: string): void {
        w.writeString('<p>')
        w.write(Buffer.from(data))
        w.writeString('</p>')
      }
    }
    template.execute(c, 'ws://' + c.host() + '/echo')
  })
  h.GET('/headers', (_ctx, c) => {
    c.header('X-One', '1')
    c.header('X-Two', '2')
    c.header('X-Two', '')
    c.response.header.set('x-three', 'a')
    c.response.header.set('X-Three', 'b')
    c.response.header.add('Set-Cookie', 'a=1')
    c.response.header.add('Set-Cookie', 'b=2')
    c.response.header.del('X-Nope')
    const seen: string[] = []
    c.response.header.forEach((v, k) => { seen.push(`${k}=${v}`) })
    c.setStatusCode(202)
    c.json(c.response.statusCode(), { seen, get: c.response.header.get('x-one'), missing: c.response.header.get('x-two') })
  })
  h.GET('/nocontent', (_ctx, c) => { c.string(204, 'ignored') })
  const { url, port } = await start(t, h)

  let r = await fetch(url + '/string')
  t.equal(r.status, 201)
  t.equal(await r.text(), 'n=4 s=x v={ a: 1 } q="hi" pct=% bool=true')
  t.equal(await (await fetch(url + '/string-raw')).text(), '100% raw', 'no values: the format is written as is')
  t.equal(await (await fetch(url + '/string-missing')).text(), 'one and %!s(MISSING)')
  r = await fetch(url + '/data')
  t.equal(r.headers.get('content-type'), 'application/octet-stream')
  t.same([...new Uint8Array(await r.arrayBuffer())], [1, 2, 3])
  r = await fetch(url + '/html')
  t.equal(r.headers.get('content-type'), 'text/html; charset=utf-8')
  t.equal(await r.text(), '<b>hi</b>')
  r = await fetch(url + '/redirect', { redirect: 'manual' })
  t.equal(r.status, 308)
  t.equal(r.headers.get('location'), '/elsewhere')
  r = await fetch(url + '/redirect-bad', { redirect: 'manual' })
  t.equal(r.status, 302, 'non-redirect codes become 302')
  r = await fetch(url + '/notfound')
  t.equal(r.status, 404)
  t.equal(r.headers.get('x-drop'), null)
  t.equal(await r.text(), 'Not Found')
  r = await fetch(url + '/sink')
  t.equal(await r.text(), `<p>ws://127.0.0.1:${port}/echo</p>`)
  r = await fetch(url + '/headers')
  t.equal(r.status, 202)
  t.equal(r.headers.get('x-one'), '1')
  t.equal(r.headers.get('x-two'), null)
  t.equal(r.headers.get('x-three'), 'b')
  t.same(r.headers.getSetCookie(), ['a=1', 'b=2'])
  t.same(await r.json(), { seen: ['X-One=1', 'x-three=b', 'Set-Cookie=a=1', 'Set-Cookie=b=2'], get: '1', missing: '' })
  r = await fetch(url + '/nocontent')
  t.equal(r.status, 204)
  t.equal(await r.text(), '')
})

t.test('input helpers', async t => {
  const h = New()
  const probe: HandlerFunc = async (_ctx, c) => {
    c.set('user', 'ann')
    const body = await c.body()
    let mustGetCode = ''
    try { c.mustGet('absent') } catch (err) { mustGetCode = (err as HertzError).code }
    c.json(200, {
      q: c.query('q'),
      qMissing: c.query('zz'),
      def: c.defaultQuery('zz', 'dflt'),
      defPresent: c.defaultQuery('q', 'dflt'),
      getQ: c.getQuery('empty') ?? 'undefined',
      getMissing: c.getQuery('zz') ?? 'undefined',
      plus: c.query('sp'),
      form: c.postForm('f'),
      formMissing: c.postForm('zz'),
      formValueQ: c.formValue('q'),
      formValueBody: c.formValue('f'),
      host: c.host(),
      path: c.path(),
      method: c.method(),
      full: c.fullPath(),
      ip: c.clientIP(),
      header: c.getHeader('x-custom'),
      peek: c.request.header.peek('X-CUSTOM'),
      peekMissing: c.request.header.peek('x-missing'),
      cookie: c.cookie('sid'),
      body: body.toString(),
      buffered: c.request.bufferedBody()?.toString() ?? null,
      get: c.get('user'),
      getMissing2: c.get('zz') === undefined,
      mustGet: c.mustGet('user'),
      mustGetCode,
      value: c.value('user'),
      uri: c.request.requestURI(),
      remote: c.remoteAddr().string()
    })
  }
  h.POST('/in/:id', probe)
  const { url } = await start(t, h)
  const r = await fetch(url + '/in/9?q=1&empty=&sp=a+b', {
    method: 'POST',
    headers: { 'x-custom': 'yes', 'content-type': 'application/x-www-form-urlencoded', cookie: 'a=1; sid=xyz' },
    body: 'f=form+value&q=body-q'
  })
  const j = await r.json() as Record<string, unknown>
  t.match(j, {
    q: '1',
    qMissing: '',
    def: 'dflt',
    defPresent: '1',
    getQ: '',
    getMissing: 'undefined',
    plus: 'a b',
    form: 'form value',
    formMissing: '',
    formValueQ: '1',
    formValueBody: 'form value',
    host: new URL(url).host,
    path: '/in/9',
    method: 'POST',
    full: '/in/:id',
    ip: '127.0.0.1',
    header: 'yes',
    peek: 'yes',
    peekMissing: '',
    cookie: 'xyz',
    body: 'f=form+value&q=body-q',
    buffered: 'f=form+value&q=body-q',
    get: 'ann',
    getMissing2: true,
    mustGet: 'ann',
    mustGetCode: 'HERTZ_ERR_KEY_NOT_FOUND',
    value: 'ann',
    uri: '/in/9?q=1&empty=&sp=a+b'
  })
  t.match(j.remote, /^127\.0\.0\.1:\d+$/)
})

t.test('clientIP: X-Forwarded-For, X-Real-IP, custom function', async t => {
  const h = New()
  h.GET('/ip', (_ctx, c) => { c.string(200, c.clientIP()) })
  const { url } = await start(t, h)
  t.equal(await (await fetch(url + '/ip', { headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' } })).text(), '203.0.113.7')
  t.equal(await (await fetch(url + '/ip', { headers: { 'x-real-ip': '198.51.100.2' } })).text(), '198.51.100.2')
  t.equal(await (await fetch(url + '/ip', { headers: { 'x-forwarded-for': 'garbage' } })).text(), '127.0.0.1')
  h.setClientIPFunc(c => 'custom:' + (c.req.socket.remoteAddress ?? ''))
  t.equal(await (await fetch(url + '/ip')).text(), 'custom:127.0.0.1')
})

t.test('ctx: derived contexts pass values down the chain; the signal is lazy', async t => {
  const h = New()
  const key = Symbol('k')
  h.use((ctx, c) => c.next(withValue(ctx, key, 'from-mw')))
  let sameCtx = false
  h.GET('/v', (ctx, c) => {
    sameCtx = (ctx as unknown) === c
    c.string(200, String(ctx.value(key)) + ' ' + String(ctx.signal.aborted))
  })
  const { url } = await start(t, h)
  t.equal(await (await fetch(url + '/v')).text(), 'from-mw false')
  t.notOk(sameCtx, 'the derived context reached the handler')
})

t.test('raw access: req, res, bufferedBody, takeResponse', async t => {
  const h = New()
  h.POST('/raw', (_ctx, c) => {
    t.equal(c.req.url, '/raw?x=%41')
    t.equal(c.isUpgrade(), false)
    t.equal(c.upgradeHead, null)
    t.equal(c.request.bufferedBody()?.toString(), 'payload')
    c.res.writeHead(299, { 'content-type': 'text/plain' })
    c.res.end('direct')
    c.string(200, 'buffered, never written')
  })
  h.GET('/take', (_ctx, c) => {
    c.takeResponse()
    t.ok(c.isResponseTaken())
    setTimeout(() => { c.res.end('late but mine') }, 20)
    c.string(500, 'never written')
  })
  const { url } = await start(t, h)
  let r = await fetch(url + '/raw?x=%41', { method: 'POST', body: 'payload' })
  t.equal(r.status, 299)
  t.equal(await r.text(), 'direct')
  r = await fetch(url + '/take')
  t.equal(r.status, 200)
  t.equal(await r.text(), 'late but mine')
})

t.test('streaming request body: bufferedBody is null until read, body() reads it', async t => {
  const h = New(server.withStreamBody(true), server.withMaxRequestBodySize(10))
  h.POST('/s', async (_ctx, c) => {
    const before = c.request.bufferedBody()
    const body = await c.body()
    c.json(200, { before, body: body.toString(), after: c.request.bufferedBody()?.toString() })
  })
  h.POST('/stream', async (_ctx, c) => {
    let n = 0
    for await (const chunk of c.requestBodyStream()) n += (chunk as Buffer).length
    c.string(200, String(n))
  })
  h.POST('/big', async (_ctx, c) => { await c.body() })
  const { url } = await start(t, h)
  let r = await fetch(url + '/s', { method: 'POST', body: 'abc' })
  t.same(await r.json(), { before: null, body: 'abc', after: 'abc' })
  r = await fetch(url + '/stream', { method: 'POST', body: 'x'.repeat(50) })
  t.equal(await r.text(), '50', 'the raw stream is not limited')
  r = await fetch(url + '/big', { method: 'POST', body: 'x'.repeat(50) })
  t.equal(r.status, 413, 'body() past the limit escapes as 413')
})

t.test('Default recovery: throw and reject give 500, chain stops, server keeps serving', async t => {
  const h = Default()
  let after = false
  h.use(async (ctx, c) => { await c.next(ctx); after = true })
  h.GET('/throw', () => { throw new Error('sync boom') }, () => { t.fail('chain must stop') })
  h.GET('/reject', async () => { await Promise.resolve(); throw new Error('async boom') })
  h.GET('/ok', (_ctx, c) => { c.string(200, 'fine') })
  const { url, logger } = await start(t, h)
  let r = await fetch(url + '/throw')
  t.equal(r.status, 500)
  t.notOk(after, 'the error unwinds middleware up to recovery, as a Go panic does')
  r = await fetch(url + '/reject')
  t.equal(r.status, 500)
  t.equal(await (await fetch(url + '/ok')).text(), 'fine')
  t.match(logger.text(), /\[Recovery\] err=sync boom[\s\S]*Error: sync boom/)
  t.match(logger.text(), /\[Recovery\] err=async boom/)
})

t.test('New without recovery still answers 500 and logs; panicHandler can take over', async t => {
  const h = New()
  h.GET('/throw', () => { throw new Error('raw boom') })
  h.GET('/ok', (_ctx, c) => { c.string(200, 'fine') })
  const { url, logger } = await start(t, h)
  t.equal((await fetch(url + '/throw')).status, 500)
  t.equal(await (await fetch(url + '/ok')).text(), 'fine')
  t.match(logger.text(), /raw boom/)
  h.panicHandler = (_ctx, c: RequestContext) => { c.abortWithMsg('custom panic page', 503) }
  const r = await fetch(url + '/throw')
  t.equal(r.status, 503)
  t.equal(await r.text(), 'custom panic page')
})

t.test('an invalid header set by a handler becomes a 500, not a crash', async t => {
  const h = New()
  h.GET('/bad', (_ctx, c) => { c.header('X-Bad', 'a\r\nInjected: 1') })
  h.GET('/badstatus', (_ctx, c) => { c.setStatusCode(42) })
  const { url, port } = await start(t, h)
  const r = await rawExchange(t, port, 'GET /bad HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(r.text, /^HTTP\/1\.1 500 /)
  t.notMatch(r.text, /\r\nInjected: 1/)
  t.equal((await fetch(url + '/badstatus')).status, 500)
})

t.test('Hertz names: queryArgs, getRawData, visitAll (forEach stays as the Map-style alias)', async t => {
  const h = New()
  h.POST('/n', (_ctx, c) => {
    c.response.header.set('X-One', '1')
    c.setContentType('text/x-one')
    const visited: string[] = []
    c.response.header.visitAll((k, v) => { visited.push(`${k}=${v}`) })
    const mapStyle: string[] = []
    c.response.header.forEach((v, k) => { mapStyle.push(`${k}=${v}`) })
    const reqVisited: string[] = []
    c.request.header.visitAll((k, v) => { if (k.startsWith('X-')) reqVisited.push(`${k}=${v}`) })
    c.json(200, {
      q: c.queryArgs().getAll('q'),
      raw: c.getRawData()?.toString() ?? null,
      visited,
      mapStyle,
      reqVisited
    })
  })
  const { url } = await start(t, h)
  const r = await fetch(url + '/n?q=1&q=2', { method: 'POST', body: 'raw bytes', headers: { 'X-Req': 'r' } })
  t.same(await r.json(), {
    q: ['1', '2'],
    raw: 'raw bytes',
    visited: ['Content-Type=text/x-one', 'X-One=1'],
    mapStyle: ['Content-Type=text/x-one', 'X-One=1'],
    reqVisited: ['X-Req=r']
  })
})

t.test('an error after the head went out (c.flush()) cuts the connection: no final chunk, server keeps serving', async t => {
  for (const make of [Default, New]) {
    await t.test(make.name, async t => {
      const h = make()
      h.GET('/stream', async (_ctx, c) => {
        c.writeString('stream part;')
        await c.flush()
        throw new Error('stream boom')
      })
      h.GET('/raw', async (_ctx, c) => {
        c.res.writeHead(200, { 'Content-Type': 'text/plain' })
        c.res.write('raw part;')
        await new Promise(resolve => { setImmediate(resolve) })
        throw new Error('raw boom')
      })
      h.GET('/ok', (_ctx, c) => { c.string(200, 'fine') })
      const { url, port, logger } = await start(t, h)
      for (const path of ['/stream', '/raw']) {
        const r = await rawExchange(t, port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
        t.ok(r.closed, path + ': connection cut')
        t.match(r.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Transfer-Encoding: chunked\r\n[\s\S]* part;\r\n$/, path + ': head and the part already sent')
        t.notMatch(r.text, /\r\n0\r\n\r\n$/, path + ': no terminating chunk, so the client sees a truncated body')
        t.equal(r.text.match(/HTTP\/1\.1 /g)?.length, 1, path + ': no second answer')
      }
      t.match(logger.text(), /stream boom/)
      t.match(logger.text(), /raw boom/)
      t.equal(await (await fetch(url + '/ok')).text(), 'fine')
    })
  }
})
