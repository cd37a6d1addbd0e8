import t, { type Test } from 'tap'
import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEarlierResponses, hasProgressiveHeaders, responseOnSocket, serverConnections, setServerHeader } from './node-internals.js'
import { openSocket, raw, readUntil } from '@hertz-node/test-kit/raw-tcp'
import { deferred, sleep } from '@hertz-node/test-kit/teardown'

// These tests pin down the node:http internals the router relies on (see node-internals.ts). A failure here means
// the running Node changed one of them: the accessors must follow before anything else is trusted.

async function listen (t: Test, server: ReturnType<typeof createServer>): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return (server.address() as AddressInfo).port
}

t.test(`node ${process.version}: socket._httpMessage is the response being written, null once it finished`, async t => {
  const seen: Array<[string, boolean | null]> = []
  const server = createServer((req, res) => {
    seen.push(['during', responseOnSocket(req.socket) === res])
    res.on('finish', () => {
      // node:http's own 'finish' listener (added before this one) has detached the socket already.
      seen.push(['after finish', responseOnSocket(req.socket) === null])
    })
    res.end('x')
  })
  const port = await listen(t, server)
  const s = await openSocket(t, port)
  s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  s.resume()
  await once(s, 'close')
  t.same(seen, [['during', true], ['after finish', true]])
})

t.test(`node ${process.version}: a pipelined response takes the socket inside the previous one's 'finish'`, async t => {
  const order: string[] = []
  const responses: ServerResponse[] = []
  const server = createServer((req, res) => {
    responses.push(res)
    if (req.url === '/first') setTimeout(() => { res.end('first') }, 30)
    else res.end('second')
  })
  let socket: Socket | null = null
  server.on('upgrade', (_req, s: Socket) => {
    socket = s
    order.push(`upgrade while busy: ${responseOnSocket(s) !== null}`)
    const wait = afterEarlierResponses(s)
    if (wait === null) { order.push('free at once'); return }
    void wait.then(free => {
      order.push(`free: ${free}, both finished: ${responses.every(r => r.writableFinished)}`)
      s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    })
  })
  const port = await listen(t, server)
  const s = await openSocket(t, port)
  s.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n' +
    'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
  const text = await readUntil(s, x => x.includes('400 Bad Request'))
  t.ok(socket !== null)
  t.same(order, ['upgrade while busy: true', 'free: true, both finished: true'])
  t.ok(text.indexOf('first') < text.indexOf('second') && text.indexOf('second') < text.indexOf('400'), 'answers in request order')
})

t.test(`node ${process.version}: afterEarlierResponses resolves false when the socket closes first`, async t => {
  let result: Promise<boolean> | null = null
  let upgraded: Socket | null = null
  const server = createServer(() => { /* never answers */ })
  server.on('upgrade', (_req, s: Socket) => {
    upgraded = s
    result = afterEarlierResponses(s)
  })
  const port = await listen(t, server)
  const s = await openSocket(t, port)
  s.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\nGET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
  for (let i = 0; i < 100 && result === null; i++) await sleep(10)
  t.ok(result !== null, 'waiting')
  // As a forced shutdown does: the server side of the connection is destroyed.
  ;(upgraded as Socket | null)?.destroy()
  t.equal(await result, false)
})

t.test(`node ${process.version}: the server's connection list holds connections that never sent a byte`, async t => {
  const server = createServer((_req, res) => { res.end() })
  const port = await listen(t, server)
  const s = await openSocket(t, port)
  for (let i = 0; i < 100 && (serverConnections(server)?.length ?? 0) === 0; i++) await sleep(10)
  const list = serverConnections(server)
  t.ok(list !== null, 'the list is found by its description')
  t.equal(list?.length, 1, 'the unused connection is in it: ' + String(list?.length))
  t.equal((list?.[0] as Socket | undefined)?.remotePort, s.localPort, 'and it is that connection')
})

t.test(`node ${process.version}: kOutHeaders marks a response that had progressive headers, even once removed`, async t => {
  const seen: boolean[] = []
  const server = createServer((req, res) => {
    seen.push(hasProgressiveHeaders(res))
    if (req.url === '/progressive') {
      res.setHeader('X-Gone', '1')
      seen.push(hasProgressiveHeaders(res))
      res.removeHeader('X-Gone')
      seen.push(hasProgressiveHeaders(res))
      res.end()
      return
    }
    // The fast path the router relies on: a flat list on a response without progressive headers keeps repeats.
    res.writeHead(200, ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '0'])
    res.end()
  })
  const port = await listen(t, server)
  const s = await openSocket(t, port)
  s.write('GET /progressive HTTP/1.1\r\nHost: x\r\n\r\nGET /flat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const text = await readUntil(s, x => (x.match(/HTTP\/1\.1 200/g) ?? []).length === 2 && x.includes('b=2'))
  t.same(seen, [false, true, true, false], 'none on a fresh response; set, and still there once removed')
  t.match(text, /Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n/, 'a flat list keeps both values of a repeated name')
})

t.test(`node ${process.version}: a response given Server: hertz by setServerHeader() is one given it by setHeader()`, async (t) => {
  // Both responses go through every header call node:http offers, names that are Object.prototype's own included;
  // what each call returns and the head on the wire must be the same.
  const views = new Map<string, unknown[]>()
  const server = createServer((req, res) => {
    if (req.url === '/fast') setServerHeader(res)
    else res.setHeader('Server', 'hertz')
    const seen: unknown[] = []
    const look = (): void => {
      seen.push(res.getHeader('server'), res.getHeader('SERVER'), res.hasHeader('Server'), res.getHeaderNames(),
        (res as unknown as { getRawHeaderNames (): string[] }).getRawHeaderNames(), Object.entries(res.getHeaders()), res.hasHeader('constructor'),
        res.getHeader('__proto__'), res.hasHeader('toString'), res.hasHeader('hasOwnProperty'))
    }
    look()
    res.setHeader('Content-Type', 'text/plain')
    res.setHeader('constructor', 'c')
    res.setHeader('__proto__', 'p')
    res.appendHeader('Set-Cookie', 'a=1')
    res.appendHeader('Set-Cookie', 'b=2')
    res.appendHeader('X-Many', ['1', '2'])
    look()
    res.removeHeader('x-many')
    res.setHeader('server', 'replaced')
    res.removeHeader('Server')
    look()
    res.setHeader('Server', 'hertz')
    look()
    views.set(req.url as string, seen)
    res.writeHead(200, { 'X-Late': 'yes' })
    res.end('body')
  })
  server.keepAliveTimeout = 0
  const port = await listen(t, server)
  const heads: string[] = []
  for (const path of ['/set', '/fast']) {
    const c = await raw(t, port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    await c.closed
    heads.push(c.text().replace(/\r\nDate: [^\r]*/, ''))
  }
  const [set, fast] = heads as [string, string]
  t.match(set, /^HTTP\/1\.1 200 OK\r\n/)
  t.same(set.match(/^server: .*$/gim), ['Server: hertz'], 'one Server line (the control)')
  t.match(set, /\r\nconstructor: c\r\n[^]*__proto__: p\r\n[^]*Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n/, 'the odd names and repeats on the wire')
  t.equal(fast, set, 'the same head and body on the wire')
  t.same(views.get('/fast'), views.get('/set'), 'every header call answered the same')
  t.equal(views.get('/set')?.[0], 'hertz')
  t.equal(views.get('/set')?.[6], false, 'no inherited name is a header before it is set')
})

t.test(`node ${process.version}: setServerHeader() on a response with headers, or with its head sent, is setHeader()`, async (t) => {
  const seen = deferred<{ kept: unknown, server: unknown, error: unknown }>()
  const server = createServer((_req, res) => {
    res.setHeader('X-First', '1')
    setServerHeader(res)
    const kept = res.getHeader('x-first')
    const server = res.getHeader('server')
    res.end('ok')
    let error: unknown = null
    try { setServerHeader(res) } catch (err) { error = err }
    seen.resolve({ kept, server, error })
  })
  const port = await listen(t, server)
  const c = await raw(t, port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  await c.closed
  const s = await seen.promise
  t.equal(s.kept, '1', 'the headers set before are kept')
  t.equal(s.server, 'hertz')
  t.match(s.error, { code: 'ERR_HTTP_HEADERS_SENT' }, 'after the head went out it throws as setHeader does')
  t.match(c.text(), /\r\nX-First: 1\r\nServer: hertz\r\n/)
})
