import t from 'tap'
import { once } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { AdaptorError } from './errors.js'
import { Default, New, start } from '@hertz-node/test-kit/router'
import { deferred, waitFor } from '@hertz-node/test-kit/teardown'
import { raw } from '@hertz-node/test-kit/raw-tcp'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const UPGRADE = 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n'

/** A masked client text frame (RFC 6455 5.3: clients must mask). */
function clientTextFrame (text: string): Buffer {
  const payload = Buffer.from(text)
  const mask = Buffer.from([1, 2, 3, 4])
  const masked = Buffer.alloc(payload.length)
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ mask[i % 4]!
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked])
}

t.test('ws handleUpgrade driven through hijack(res): the chain settles at the handover, the echo goes on', async (t) => {
  const wss = new WebSocketServer({ noServer: true })
  t.teardown(() => { wss.close() })
  const h = New()
  const events: string[] = []
  let hijacked: { destroyed: boolean } | null = null
  h.use(async (ctx, c) => {
    await c.next(ctx)
    events.push(`chain settled taken=${c.isResponseTaken()} socket destroyed=${hijacked?.destroyed}`)
  })
  h.GET('/ws', adaptor.handler((req, res) => {
    const { socket, head } = adaptor.hijack(res)
    hijacked = socket
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
    })
  }))
  const { port } = await start(t, h)
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`)
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  await waitFor(() => events.length > 0)
  t.same(events, ['chain settled taken=true socket destroyed=false'], 'the chain is over while the socket lives on')
  ws.send('hello')
  const [msg] = await once(ws, 'message') as [Buffer]
  t.equal(msg.toString(), 'hello', 'the hijacker still serves the connection')
  ws.close()
  const [code] = await once(ws, 'close') as [number]
  t.equal(code, 1005, 'closed by the hijacker (ws echoes the empty close), not by the router')
  t.equal(events.length, 1, 'the chain settled once')
})

t.test('an async handler that rejects after its hijack: the socket is destroyed and the error logged', async (t) => {
  const h = New()
  let fail: (err: Error) => void = () => {}
  let chainSettled = false
  h.use(async (ctx, c) => {
    await c.next(ctx)
    chainSettled = true
  })
  h.GET('/ws', adaptor.handler(async (_req, res) => {
    const { socket } = adaptor.hijack(res)
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n')
    await new Promise<void>((_resolve, reject) => { fail = reject })
  }))
  const { port, logger } = await start(t, h)
  const c = await raw(t, port, UPGRADE)
  t.match(await c.until('\r\n\r\n'), /^HTTP\/1\.1 101 Switching Protocols\r\n/)
  await waitFor(() => chainSettled)
  fail(new Error('session broke'))
  await c.closed
  await waitFor(() => logger.text().includes('session broke'))
  t.match(logger.text(), /after it hijacked the socket, connection destroyed: .*session broke/)
})

t.test('after a hijack the adaptor keeps neither the request nor the response, and still reports a late failure', async (t) => {
  const h = New()
  let refs: { req: WeakRef<object>, res: WeakRef<object> } | null = null
  let fail: (err: Error) => void = () => {}
  // The session's promise, made where neither req nor res is in scope: whatever still holds them is the adaptor.
  const session = (): Promise<void> => new Promise<void>((_resolve, reject) => { fail = reject })
  h.GET('/ws', adaptor.handler((req, res) => {
    refs = { req: new WeakRef(req), res: new WeakRef(res) }
    const { socket } = adaptor.hijack(res)
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n')
    return session()
  }))
  const { port, logger } = await start(t, h)
  const c = await raw(t, port, UPGRADE)
  t.match(await c.until('\r\n\r\n'), /^HTTP\/1\.1 101 Switching Protocols\r\n/)
  const { req, res } = refs as unknown as { req: WeakRef<object>, res: WeakRef<object> }
  for (let i = 0; i < 20 && (req.deref() !== undefined || res.deref() !== undefined); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    gc()
  }
  t.equal(res.deref(), undefined, 'the response was collected while the session is open')
  t.equal(req.deref(), undefined, 'the request was collected while the session is open')
  fail(new Error('session broke late'))
  await c.closed
  await waitFor(() => logger.text().includes('session broke late'))
  t.match(logger.text(), /after it hijacked the socket, connection destroyed: .*session broke late/)
})

t.test('head: bytes sent right after the request headers reach the hijacker', async (t) => {
  const wss = new WebSocketServer({ noServer: true })
  t.teardown(() => { wss.close() })
  const h = New()
  const got = deferred<string>()
  let headLength = -1
  h.GET('/ws', adaptor.handler((req, res) => {
    const { socket, head } = adaptor.hijack(res)
    headLength = head.length
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => { got.resolve(String(data)); ws.close() })
    })
  }))
  const { port } = await start(t, h)
  const request = 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
  const c = await raw(t, port, Buffer.concat([Buffer.from(request), clientTextFrame('first frame')]))
  t.equal(await got.promise, 'first frame')
  t.ok(headLength > 0, 'the frame came in head')
  t.match(await c.until('s3pPLMBiTxaQ9kYGzzhZRbK+xOo='), /^HTTP\/1\.1 101 Switching Protocols\r\n/)
})

t.test('an upgrade request answered normally (404, 400, 426) reaches the client, then the socket closes', async (t) => {
  const h = New()
  h.GET('/ws', adaptor.handler((req, res) => {
    const want = req.headers['x-want']
    if (want === '426') {
      res.writeHead(426, { Upgrade: 'websocket', 'Content-Type': 'text/plain' })
      res.end('upgrade to websocket')
    } else if (want === '400') {
      res.statusCode = 400
      res.end('bad handshake')
    } else {
      res.statusCode = 404
      res.end('no such socket')
    }
  }))
  const { port } = await start(t, h)
  for (const [want, status, body] of [['426', '426 Upgrade Required', 'upgrade to websocket'],
    ['400', '400 Bad Request', 'bad handshake'], ['404', '404 Not Found', 'no such socket']] as const) {
    const c = await raw(t, port, UPGRADE.replace('\r\n\r\n', `\r\nX-Want: ${want}\r\n\r\n`))
    await c.closed
    t.match(c.text(), new RegExp(`^HTTP/1\\.1 ${status}\\r\\n[^]*Connection: close\\r\\n`), want)
    t.match(c.text(), new RegExp(`\\r\\n\\r\\n(${body}|[0-9a-f]+\\r\\n${body}\\r\\n0\\r\\n\\r\\n)$`), `${want}: the whole body`)
    t.equal(c.text().match(/HTTP\/1\.1/g)?.length, 1, 'exactly one answer')
  }
})

t.test('writeHead(101) then hijack: the head is flushed before the hijacker\'s bytes', async (t) => {
  const h = New()
  h.GET('/ws', adaptor.handler((_req, res) => {
    res.writeHead(101, { Connection: 'Upgrade', Upgrade: 'test' })
    const { socket } = adaptor.hijack(res)
    socket.end('raw after 101')
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, UPGRADE)
  await c.closed
  t.match(c.text(), /^HTTP\/1\.1 101 Switching Protocols\r\n[^]*Upgrade: test\r\n[^]*\r\n\r\nraw after 101$/)
})

t.test('hijack happens once; res is sealed; the router writes nothing after it', async (t) => {
  const h = New()
  const codes: string[] = []
  h.use(async (ctx, c) => {
    await c.next(ctx)
    // Whatever a middleware does afterwards, the router must not write to the hijacked socket.
    c.string(500, 'must not appear')
  })
  h.GET('/ws', adaptor.handler((_req, res) => {
    const { socket } = adaptor.hijack(res)
    for (const attempt of [() => adaptor.hijack(res), () => res.write('x'), () => res.end(), () => res.setHeader('a', 'b')]) {
      try { attempt() } catch (err) { codes.push((err as AdaptorError).code) }
    }
    setTimeout(() => socket.end('only mine'), 10)
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, UPGRADE)
  await c.closed
  t.equal(c.text(), 'only mine')
  t.same(codes, Array(4).fill('ADAPTOR_ERR_HIJACKED'))
})

t.test('hijack of a plain request: ADAPTOR_ERR_NOT_HIJACKABLE, and the handler can still answer', async (t) => {
  const h = New()
  h.GET('/plain', adaptor.handler((_req, res) => {
    try {
      adaptor.hijack(res)
      res.end('hijacked?!')
    } catch (err) {
      res.end(`${(err as AdaptorError).code} hijackable=${adaptor.isHijackable(res)}`)
    }
  }))
  const { url } = await start(t, h)
  t.equal(await (await fetch(url + '/plain')).text(), 'ADAPTOR_ERR_NOT_HIJACKABLE hijackable=false')
})

t.test('upgrade: a throw before hijack takes the error path (500 on the socket); after hijack it destroys', async (t) => {
  const h = Default()
  h.GET('/ws', adaptor.handler((req) => {
    if (req.headers['x-when'] === 'before') throw new Error('refused early')
  }))
  h.GET('/late', adaptor.handler(async (_req, res) => {
    const { socket } = adaptor.hijack(res)
    socket.write('hello ')
    await new Promise((resolve) => setTimeout(resolve, 10))
    throw new Error('hijacker failed')
  }))
  const { port, logger } = await start(t, h)
  const c = await raw(t, port, UPGRADE.replace('\r\n\r\n', '\r\nX-When: before\r\n\r\n'))
  await c.closed
  t.match(c.text(), /^HTTP\/1\.1 500 Internal Server Error\r\n/)
  const c2 = await raw(t, port, UPGRADE.replace('/ws', '/late'))
  await c2.closed
  t.equal(c2.text(), 'hello ')
  t.match(logger.text(), /refused early/)
  t.match(logger.text(), /hijacker failed/)
})

t.test('upgrade: a handler that never answers settles when the client goes away', async (t) => {
  const h = New()
  const seen: Array<{ taken: boolean, status: number }> = []
  let serverSocket: Duplex | null = null
  h.use(async (ctx, c) => {
    await c.next(ctx)
    seen.push({ taken: c.isResponseTaken(), status: c.response.statusCode() })
  })
  h.GET('/ws', adaptor.handler((req) => { serverSocket = req.socket /* neither answers nor hijacks */ }))
  const { port, logger } = await start(t, h)
  const c = await raw(t, port, UPGRADE)
  await waitFor(() => serverSocket !== null)
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(h.activeRequests, 1, 'the request stays in flight while the client waits')
  t.same(seen, [], 'the chain has not settled')
  t.equal(c.text(), '', 'nothing was sent')
  c.socket.destroy()
  await waitFor(() => h.activeRequests === 0)
  t.same(seen, [{ taken: false, status: 200 }], 'the chain settled once, with no answer recorded')
  t.equal((serverSocket as Duplex | null)?.destroyed, true, 'the server side of the socket is destroyed')
  t.equal(c.text(), '', 'the client never got a byte')
  t.equal(logger.text(), '', 'nothing went wrong')
})

t.test('upgrade: a client that half-closes (FIN) while the handler waits gets the socket closed', async (t) => {
  const h = New()
  let serverSocket: Duplex | null = null
  h.GET('/ws', adaptor.handler((req) => { serverSocket = req.socket /* neither answers nor hijacks */ }))
  const { port, logger } = await start(t, h)
  const c = await raw(t, port, UPGRADE)
  await waitFor(() => serverSocket !== null)
  t.equal(h.activeRequests, 1, 'the request is in flight')
  // node:http leaves an upgrade socket half-open: without the exchange's watch this one would stay forever.
  c.socket.end()
  await c.closed
  await waitFor(() => h.activeRequests === 0)
  t.equal((serverSocket as Duplex | null)?.destroyed, true, 'the server side of the socket is destroyed')
  t.equal(c.text(), '', 'the client never got a byte')
  t.equal(logger.text(), '', 'nothing went wrong')
})

t.test('a handler that hijacks before it returns leaves the chain synchronous', async (t) => {
  const wss = new WebSocketServer({ noServer: true })
  t.teardown(() => { wss.close() })
  const h = New()
  const nextReturned: unknown[] = []
  h.use((ctx, c) => {
    const r = c.next(ctx)
    nextReturned.push(r)
    return r
  })
  h.GET('/ws', adaptor.handler((req, res) => {
    const { socket, head } = adaptor.hijack(res)
    wss.handleUpgrade(req, socket, head, (ws) => { ws.on('message', (data) => ws.send(data)) })
  }))
  h.GET('/later', adaptor.handler(async (req, res) => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    const { socket, head } = adaptor.hijack(res)
    wss.handleUpgrade(req, socket, head, (ws) => { ws.on('message', (data) => ws.send(data)) })
  }))
  const { port } = await start(t, h)
  for (const path of ['/ws', '/later']) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`)
    t.teardown(() => ws.terminate())
    await once(ws, 'open')
    ws.send(path)
    const [msg] = await once(ws, 'message') as [Buffer]
    t.equal(msg.toString(), path, `${path}: the hijacker serves the connection`)
    ws.close()
    await once(ws, 'close')
  }
  t.equal(nextReturned.length, 2)
  t.equal(nextReturned[0], undefined, 'a hijack inside the call: c.next() returned no Promise')
  t.ok(nextReturned[1] instanceof Promise, 'a hijack after an await: c.next() returned a Promise')
  await waitFor(() => h.activeRequests === 0)
})

t.test('a hijacked socket the hijacker already destroyed settles at once', async (t) => {
  const h = New()
  const settled = deferred()
  h.use(async (ctx, c) => { await c.next(ctx); settled.resolve() })
  h.GET('/ws', adaptor.handler(async (_req, res) => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    adaptor.hijack(res).socket.destroy()
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, UPGRADE)
  await c.closed
  await settled.promise
  t.equal(c.text(), '')
})

t.test('a hijacked socket carries no timeout left over from the HTTP phase', async (t) => {
  const h = New(server.withIdleTimeout(150), server.withReadTimeout(150))
  h.GET('/plain', (ctx, c) => { c.string(200, 'plain') })
  h.GET('/ws', adaptor.handler((_req, res) => {
    const { socket } = adaptor.hijack(res)
    socket.write('hijacked\n')
    socket.on('data', (d: Buffer) => socket.write(`echo ${String(d)}`))
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET /plain HTTP/1.1\r\nHost: x\r\n\r\n')
  await c.until('plain')
  c.socket.write(UPGRADE)
  await c.until('hijacked\n')
  await new Promise((resolve) => setTimeout(resolve, 400))
  c.socket.write('still there')
  t.match(await c.until('echo still there'), /echo still there$/)
})
