import t, { type Test } from 'tap'
import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEarlierResponses, hasProgressiveHeaders, responseOnSocket, serverConnections } from './node-internals.js'
import { openSocket, readUntil } from '@hertz-node/test-kit/raw-tcp'
import { sleep } from '@hertz-node/test-kit/teardown'

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
