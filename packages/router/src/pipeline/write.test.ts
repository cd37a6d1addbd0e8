import t from 'tap'
import { Readable } from 'node:stream'
import { server } from '../index.js'
import { start, New } from '@hertz-node/test-kit/router'
import { openSocket, readUntil, rawExchange, pipelinedPair } from '@hertz-node/test-kit/raw-tcp'
import { sleep } from '@hertz-node/test-kit/teardown'

t.test('buffered output: one head with Content-Length, default Content-Type, Server; options drop them', async t => {
  const h = New()
  h.GET('/', (_ctx, c) => { c.writeString('a'); c.write(Buffer.from('bé')) })
  h.GET('/len', (_ctx, c) => { c.json(200, { bytes: c.response.bytesSent() }) })
  const { port } = await start(t, h)
  const r = await rawExchange(t, port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(r.text, /\r\nContent-Type: text\/plain; charset=utf-8\r\n/)
  t.match(r.text, /\r\nContent-Length: 4\r\n/)
  t.match(r.text, /\r\nServer: hertz\r\n/)
  t.match(r.text, /\r\nDate: /)
  t.notMatch(r.text, /Transfer-Encoding/i)
  t.match(Buffer.from(r.text, 'latin1').toString('utf8'), /\r\n\r\nabé$/)

  const bare = New(server.withDisableDefaultContentType(true), server.withDisableDefaultServerHeader(true),
    server.withDisableDefaultDate(true))
  bare.GET('/', (_ctx, c) => { c.writeString('a') })
  const b = await start(t, bare)
  const rb = await rawExchange(t, b.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.notMatch(rb.text, /Content-Type|Server:|Date:/)
})

t.test('Content-Length follows the body as it is appended, replaced and reset', async t => {
  const h = New()
  const seen: number[] = []
  h.GET('/append', (_ctx, c) => {
    c.writeString('é€')
    c.response.appendBody(new Uint8Array([1, 2, 3]))
    seen.push(c.response.bodyLength())
  })
  h.GET('/replaced', (_ctx, c) => {
    c.writeString('discarded')
    c.abortWithMsg('né', 400)
    seen.push(c.response.bodyLength())
  })
  h.GET('/reset', (_ctx, c) => {
    c.writeString('gone')
    c.response.reset()
    seen.push(c.response.bodyLength())
  })
  const { port } = await start(t, h)
  const append = await rawExchange(t, port, 'GET /append HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(append.text, /\r\nContent-Length: 8\r\n/, '2 + 3 bytes of UTF-8, then 3 raw bytes')
  const replaced = await rawExchange(t, port, 'GET /replaced HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(replaced.text, /^HTTP\/1\.1 400 [\s\S]*\r\nContent-Length: 3\r\n/)
  t.match(Buffer.from(replaced.text, 'latin1').toString('utf8'), /\r\n\r\nné$/)
  const reset = await rawExchange(t, port, 'GET /reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(reset.text, /\r\nContent-Length: 0\r\n/)
  t.same(seen, [8, 3, 0])
})

t.test('flush() streams: chunked, bytes reach the client before the handler ends', async t => {
  const h = New()
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  let sent = -2
  h.GET('/stream', async (_ctx, c) => {
    c.setContentType('text/plain')
    c.writeString('first;')
    await c.flush()
    await gate
    c.writeString('second;')
    await c.flush()
    c.writeString('third')
    sent = c.response.bytesSent()
  })
  const { port } = await start(t, h)
  const s = await openSocket(t, port)
  s.write('GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const early = await readUntil(s, x => x.includes('first;'))
  t.match(early, /Transfer-Encoding: chunked/)
  t.notMatch(early, /second/)
  release()
  const all = await readUntil(s, x => x.endsWith('0\r\n\r\n'))
  t.match(all, /second;[\s\S]*third/)
  t.equal(sent, 18)
})

t.test('server-sent events with an abort signal', async t => {
  const h = New()
  h.GET('/sse', async (ctx, c) => {
    c.setContentType('text/event-stream')
    c.header('Cache-Control', 'no-cache')
    await c.flush()
    for (let i = 0; i < 3 && !ctx.signal.aborted; i++) {
      c.writeString(`id: ${i}\ndata: tick ${i}\n\n`)
      await c.flush()
      await sleep(5)
    }
  })
  const { url } = await start(t, h)
  const r = await fetch(url + '/sse')
  t.equal(r.headers.get('content-type'), 'text/event-stream')
  const text = await r.text()
  t.equal(text, 'id: 0\ndata: tick 0\n\nid: 1\ndata: tick 1\n\nid: 2\ndata: tick 2\n\n')
})

t.test('streaming with a Content-Length set is not chunked', async t => {
  const h = New()
  h.GET('/len', async (_ctx, c) => {
    c.response.header.set('Content-Length', '10')
    c.writeString('01234')
    await c.flush()
    c.writeString('56789')
  })
  const { port } = await start(t, h)
  const r = await rawExchange(t, port, 'GET /len HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(r.text, /Content-Length: 10\r\n/)
  t.notMatch(r.text, /chunked/)
  t.match(r.text, /\r\n\r\n0123456789$/)
})

t.test('setBodyStream sends a stream, sized or chunked; a failing stream drops the connection', async t => {
  const h = New()
  h.GET('/sized', (_ctx, c) => { c.setBodyStream(Readable.from([Buffer.from('abc'), Buffer.from('def')]), 6) })
  h.GET('/unsized', (_ctx, c) => { c.setBodyStream(Readable.from(['x', 'y', 'z'])) })
  h.GET('/broken', (_ctx, c) => {
    c.setBodyStream(new Readable({ read () { this.destroy(new Error('disk on fire')) } }), 100)
  })
  const { port, url } = await start(t, h)
  const sized = await rawExchange(t, port, 'GET /sized HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(sized.text, /Content-Length: 6\r\n[\s\S]*\r\n\r\nabcdef$/)
  t.equal(await (await fetch(url + '/unsized')).text(), 'xyz')
  await t.rejects(fetch(url + '/broken').then(async r => await r.text()))
  t.equal(await (await fetch(url + '/unsized')).text(), 'xyz', 'server still serving')
})

t.test('a body stream longer or shorter than its declared size never desyncs a keep-alive connection', async t => {
  const h = New()
  h.GET('/long', (_ctx, c) => { c.setBodyStream(Readable.from([Buffer.from('abcHTTP/1.1 200 OK\r\n\r\n')]), 3) })
  h.GET('/longer', (_ctx, c) => { c.setBodyStream(Readable.from(['ab', 'c', 'HTTP/1.1 200 OK\r\n\r\n']), 3) })
  h.GET('/short', (_ctx, c) => { c.setBodyStream(Readable.from([Buffer.from('abc')]), 6) })
  h.GET('/next', (_ctx, c) => { c.string(200, 'next') })
  const { port, logger } = await start(t, h)
  for (const path of ['/long', '/longer']) {
    const long = await rawExchange(t, port, pipelinedPair(path))
    t.match(long.text, /^HTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*Content-Length: 3\r\n(?:[^\r]+\r\n)*\r\nabcHTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*\r\nnext$/,
      path + ': the declared bytes, then the next response (reading stops at the declared length)')
  }
  const short = await rawExchange(t, port, pipelinedPair('/short'))
  t.ok(short.closed)
  t.match(short.text, /^HTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*Content-Length: 6\r\n(?:[^\r]+\r\n)*\r\nabc$/,
    'the bytes there are, then the connection is cut: the next response is not read as body')
  t.match(logger.text(), /longer than its 3 declared bytes[\s\S]*3 of 6 declared bytes/)
})

t.test('a short body stream queued behind a slower response still closes its connection once it is out', async t => {
  const h = New()
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  let shortDone!: () => void
  const shortAnswered = new Promise<void>(resolve => { shortDone = resolve })
  h.GET('/slow', async (_ctx, c) => { await gate; c.string(200, 'slow') })
  h.GET('/short', (_ctx, c) => {
    const body = Readable.from([Buffer.from('abc')])
    body.on('end', shortDone)
    c.setBodyStream(body, 6)
  })
  h.GET('/next', (_ctx, c) => { c.string(200, 'next') })
  const { port } = await start(t, h)
  const s = await openSocket(t, port)
  // Node answers pipelined requests in order: /short is written (and its stream ends) while /slow holds the socket.
  s.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n' + pipelinedPair('/short'))
  await shortAnswered
  release()
  const text = await readUntil(s, () => false).catch((err: Error) => err.message)
  t.ok(s.destroyed || s.readableEnded, 'the connection closed')
  t.match(text, /^HTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*\r\nslowHTTP\/1\.1 200 OK\r\n(?:[^\r]+\r\n)*Content-Length: 6\r\n(?:[^\r]+\r\n)*\r\nabc$/,
    'the slow answer, then the short one as far as it goes, then the end: /next is never answered on it')
})

t.test('a sized body stream is released when the client goes away mid-body', async t => {
  const h = New()
  let stream!: Readable
  h.GET('/endless', (_ctx, c) => {
    stream = new Readable({ read () { this.push(Buffer.alloc(16 * 1024, 'a')) } })
    c.setBodyStream(stream, 1 << 30)
  })
  const { port } = await start(t, h)
  const s = await openSocket(t, port)
  s.write('GET /endless HTTP/1.1\r\nHost: x\r\n\r\n')
  await readUntil(s, x => x.length > 64 * 1024)
  s.destroy()
  // Bounded only so that a stream left paused fails the test instead of hanging it.
  await Promise.race([new Promise(resolve => { if (stream.destroyed) resolve(null); else stream.once('close', resolve) }), sleep(3000)])
  t.ok(stream.destroyed, 'the stream is destroyed, not left paused')
})

t.test('responses during shutdown carry Connection: close', async t => {
  const h = New(server.withExitWaitTime(2000))
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  h.GET('/slow', async (_ctx, c) => { await gate; c.string(200, 'finished') })
  const { port } = await start(t, h)
  const s = await openSocket(t, port)
  s.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await sleep(20)
  const done = h.shutdown()
  await sleep(20)
  release()
  const text = await readUntil(s, x => x.endsWith('finished'))
  t.match(text, /Connection: close/)
  await done
})

t.test('repeated headers survive on a response that had headers set through node\'s own API', async t => {
  const h = New()
  h.GET('/removed', (_ctx, c) => {
    // Set, then removed again: node keeps an empty header object, which alone switches writeHead's behaviour.
    c.res.setHeader('X-Gone', '1')
    c.res.removeHeader('X-Gone')
    c.response.header.add('Set-Cookie', 'a=1')
    c.response.header.add('Set-Cookie', 'b=2')
    c.string(200, 'ok')
  })
  h.GET('/kept', (_ctx, c) => {
    c.res.setHeader('X-Node', 'n')
    c.res.setHeader('X-Both', 'node')
    c.res.setHeader('Set-Cookie', 'old=0')
    c.header('X-Both', 'router')
    c.response.header.add('Set-Cookie', 'a=1')
    c.response.header.add('Set-Cookie', 'b=2')
    c.string(200, 'ok')
  })
  h.GET('/stream', async (_ctx, c) => {
    c.res.setHeader('X-Node', 'n')
    c.response.header.add('Set-Cookie', 'a=1')
    c.response.header.add('Set-Cookie', 'b=2')
    c.writeString('first ')
    await c.flush()
    c.writeString('second')
  })
  h.GET('/bad', (_ctx, c) => {
    c.res.setHeader('X-Node', 'n')
    c.response.header.add('X-Good', 'g')
    c.response.header.add('X-Bad', 'a\nb')
    c.string(200, 'never')
  })
  h.GET('/plain', (_ctx, c) => {
    c.response.header.add('Set-Cookie', 'a=1')
    c.response.header.add('Set-Cookie', 'b=2')
    c.string(200, 'ok')
  })
  const { url, port, logger } = await start(t, h)

  const removed = await fetch(url + '/removed')
  t.same(removed.headers.getSetCookie(), ['a=1', 'b=2'])
  t.equal(removed.headers.get('x-gone'), null)
  t.equal(await removed.text(), 'ok')

  const kept = await fetch(url + '/kept')
  t.same(kept.headers.getSetCookie(), ['a=1', 'b=2'], 'the router\'s values replace node\'s for the same name')
  t.equal(kept.headers.get('x-node'), 'n', 'other headers set on c.res are sent too')
  t.equal(kept.headers.get('x-both'), 'router')
  t.equal(kept.headers.get('content-length'), '2')
  t.equal(await kept.text(), 'ok')

  const stream = await fetch(url + '/stream')
  t.same(stream.headers.getSetCookie(), ['a=1', 'b=2'])
  t.equal(stream.headers.get('x-node'), 'n')
  t.equal(stream.headers.get('transfer-encoding'), 'chunked')
  t.equal(await stream.text(), 'first second')

  const bad = await rawExchange(t, port, 'GET /bad HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(bad.text, /^HTTP\/1\.1 500 Internal Server Error\r\n/)
  t.notMatch(bad.text, /X-Good/, 'a rejected header list leaves nothing half-applied')
  t.match(logger.text(), /X-Bad/)

  const plain = await fetch(url + '/plain')
  t.same(plain.headers.getSetCookie(), ['a=1', 'b=2'])
})
