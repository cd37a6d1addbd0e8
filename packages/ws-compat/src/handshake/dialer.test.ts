import t from 'tap'
import { once } from 'node:events'
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { WebSocketServer, type WebSocket as WsSocket } from 'ws'
import type { BufferPool } from '../conn/buffer-pool.js'
import { CloseError, formatCloseMessage, isCloseError } from '../conn/close-error.js'
import { BinaryMessage, CloseMessage, CloseNormalClosure, PingMessage, TextMessage } from '../constants.js'
import { DefaultDialer, Dialer, type BadHandshakeError } from './dialer.js'
import { ErrBadHandshake, WsCompatError, WsCompatErrorCode } from '../errors.js'
import { describeMatrix } from '@hertz-node/test-kit/matrix'
import type { Teardown } from '@hertz-node/test-kit/teardown'

interface WsServer {
  url: string
  wss: WebSocketServer
  requests: IncomingMessage[]
}

/** A `ws` echo server on 127.0.0.1. */
async function wsServer (t: Teardown, options: ConstructorParameters<typeof WebSocketServer>[0] = {}): Promise<WsServer> {
  const requests: IncomingMessage[] = []
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options })
  wss.on('connection', (ws: WsSocket, req: IncomingMessage) => {
    requests.push(req)
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
  })
  await once(wss, 'listening')
  t.teardown(async () => {
    for (const ws of wss.clients) ws.terminate()
    await new Promise((resolve) => wss.close(resolve))
  })
  const { port } = wss.address() as AddressInfo
  return { url: `ws://127.0.0.1:${port}/echo`, wss, requests }
}

/** A plain HTTP server that answers every request (upgrade or not) with `respond`. */
async function httpServer (t: Teardown, respond: (req: IncomingMessage, socket: Socket) => void): Promise<string> {
  const server: Server = createHttpServer()
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => respond(req, socket))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

t.test('DefaultDialer.dial against a ws server: echo, response, addresses', async (t) => {
  const srv = await wsServer(t)
  const [conn, res] = await DefaultDialer.dial(srv.url, null)
  t.teardown(() => conn.close())
  t.equal(res.statusCode, 101)
  t.equal(DefaultDialer.handshakeTimeout, 45_000)
  await conn.writeMessage(TextMessage, 'hello')
  t.same(await conn.readMessage(), [TextMessage, Buffer.from('hello')])
  const big = Buffer.alloc(200_000, 7)
  await conn.writeMessage(2, big)
  const [, echoed] = await conn.readMessage()
  t.ok(echoed.equals(big), 'masked client frames arrive intact')
  t.equal(conn.subprotocol(), '')
  t.match(String(conn.remoteAddr()), /^127\.0\.0\.1:\d+$/)
  t.equal(srv.requests[0]?.url, '/echo')
})

t.test('subprotocols, extra headers and a Host override reach the server', async (t) => {
  const srv = await wsServer(t, { handleProtocols: (protocols) => (protocols.has('v2') ? 'v2' : false) })
  const dialer = new Dialer({ subprotocols: ['v1', 'v2'] })
  const [conn, res] = await dialer.dial(srv.url, {
    Origin: 'http://example.test',
    Cookie: 'a=1',
    Host: 'example.test:1234',
  })
  t.teardown(() => conn.close())
  t.equal(conn.subprotocol(), 'v2')
  t.equal(res.headers['sec-websocket-protocol'], 'v2')
  const req = srv.requests[0] as IncomingMessage
  t.equal(req.headers.origin, 'http://example.test')
  t.equal(req.headers.cookie, 'a=1')
  t.equal(req.headers.host, 'example.test:1234')
  t.equal(req.headers['sec-websocket-protocol'], 'v1, v2')
})

t.test('request headers as a Headers object or pairs; a Sec-WebSocket-Protocol header alone', async (t) => {
  const srv = await wsServer(t, { handleProtocols: (protocols) => [...protocols][0] ?? false })
  const [a] = await new Dialer().dial(srv.url, new Headers({ 'x-a': '1', 'sec-websocket-protocol': 'p' }))
  t.teardown(() => a.close())
  t.equal(a.subprotocol(), 'p')
  const [b] = await new Dialer().dial(srv.url, [['x-b', '2']])
  t.teardown(() => b.close())
  t.equal(srv.requests[0]?.headers['x-a'], '1')
  t.equal(srv.requests[1]?.headers['x-b'], '2')
})

t.test('compression: offered, accepted, round-tripped', async (t) => {
  const srv = await wsServer(t, { perMessageDeflate: { threshold: 0 } })
  const [conn, res] = await new Dialer({ enableCompression: true }).dial(srv.url)
  t.teardown(() => conn.close())
  t.match(res.headers['sec-websocket-extensions'], /permessage-deflate/)
  t.match(srv.requests[0]?.headers['sec-websocket-extensions'], /server_no_context_takeover; client_no_context_takeover/)
  const text = 'compress me '.repeat(1000)
  await conn.writeMessage(TextMessage, text)
  t.same(await conn.readMessage(), [TextMessage, Buffer.from(text)])
})

t.test('compression accepted with context takeover is refused, as gorilla does', async (t) => {
  const url = await httpServer(t, (req, socket) => {
    const { computeAcceptKey } = acceptKey
    socket.end(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${computeAcceptKey(req.headers['sec-websocket-key'] as string)}\r\n` +
        'Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n'
    )
  })
  await t.rejects(new Dialer({ enableCompression: true }).dial(url), {
    code: WsCompatErrorCode.INVALID_COMPRESSION,
    message: 'websocket: invalid compression negotiation',
  })
  await t.rejects(new Dialer({ enableCompression: false }).dial(url), { code: WsCompatErrorCode.INVALID_COMPRESSION })
})

t.test('a refused handshake rejects with ErrBadHandshake carrying the response', async (t) => {
  const url = await httpServer(t, (_req, socket) => {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nForbidden')
  })
  const err = (await new Dialer().dial(url).catch((e: unknown) => e)) as BadHandshakeError
  t.ok(err instanceof WsCompatError)
  t.equal(err.code, ErrBadHandshake.code)
  t.equal(err.message, 'websocket: bad handshake')
  t.equal(err.response.statusCode, 403)
  t.equal(err.status, 403)
  t.equal(err.response.headers['content-type'], 'text/plain')
  t.equal(err.body.toString(), 'Forbidden')
})

t.test('a long error body is cut at 1024 bytes', async (t) => {
  const url = await httpServer(t, (_req, socket) => {
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Length: 5000\r\n\r\n${'e'.repeat(5000)}`)
  })
  const err = (await new Dialer().dial(url).catch((e: unknown) => e)) as BadHandshakeError
  t.equal(err.response.statusCode, 400)
  t.equal(err.body.length, 1024)
})

t.test('a 101 with a wrong Sec-WebSocket-Accept is a bad handshake', async (t) => {
  const url = await httpServer(t, (_req, socket) => {
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: nope\r\n\r\n')
  })
  const err = (await new Dialer().dial(url).catch((e: unknown) => e)) as BadHandshakeError
  t.equal(err.code, WsCompatErrorCode.BAD_HANDSHAKE)
  t.equal(err.response.statusCode, 101)
})

t.test('malformed URLs and reserved headers are refused before connecting', async (t) => {
  for (const url of ['http://127.0.0.1/', 'ws://user:pw@127.0.0.1/', 'not a url']) {
    await t.rejects(DefaultDialer.dial(url), { code: WsCompatErrorCode.MALFORMED_URL, message: 'malformed ws or wss URL' }, url)
  }
  for (const name of ['Upgrade', 'connection', 'Sec-WebSocket-Key', 'sec-websocket-version', 'Sec-WebSocket-Extensions']) {
    await t.rejects(DefaultDialer.dial('ws://127.0.0.1:1/', { [name]: 'x' }), {
      code: WsCompatErrorCode.DUPLICATE_HEADER,
      message: /^websocket: duplicate header not allowed: /,
    })
  }
  await t.rejects(new Dialer({ subprotocols: ['a'] }).dial('ws://127.0.0.1:1/', { 'Sec-WebSocket-Protocol': 'b' }), {
    message: 'websocket: duplicate header not allowed: Sec-Websocket-Protocol',
  })
})

t.test('handshakeTimeout fires when the server never answers', async (t) => {
  const sockets: Socket[] = []
  const server = createNetServer((socket) => {
    sockets.push(socket)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`
  await t.rejects(new Dialer({ handshakeTimeout: 100 }).dial(url), {
    code: WsCompatErrorCode.HANDSHAKE_TIMEOUT,
    timeout: true,
  })
})

t.test('a refused connection is a net error', async (t) => {
  const server = createNetServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  await t.rejects(DefaultDialer.dial(`ws://127.0.0.1:${port}/`), { code: WsCompatErrorCode.NET })
})

describeMatrix('the echo client flow of gorilla examples/echo/client.go', async (t, _kind, start) => {
  const srv = await start()
  const [c] = await DefaultDialer.dial(srv.url(), null)
  t.teardown(() => c.close())
  const received: string[] = []
  const done = (async () => {
    for (;;) {
      try {
        const [, message] = await c.readMessage()
        received.push(message.toString())
      } catch (err) {
        return err
      }
    }
  })()
  for (let i = 0; i < 3; i++) await c.writeMessage(TextMessage, `tick ${i}`)
  // Cleanly close: send a close frame, then wait for the server to close.
  await c.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, ''))
  const err = await done
  t.ok(isCloseError(err, CloseNormalClosure), `reader ended with ${String(err)}`)
  t.ok(err instanceof CloseError)
  t.same(received, ['tick 0', 'tick 1', 'tick 2'])
})

t.test('client conns use the dialer pool and answer pings', async (t) => {
  const gets: unknown[] = []
  const pool: BufferPool = {
    get: () => {
      gets.push(1)
      return undefined
    },
    put: () => {},
  }
  const srv = await wsServer(t)
  const [conn] = await new Dialer({ writeBufferPool: pool, writeBufferSize: 16 }).dial(srv.url)
  t.teardown(() => conn.close())
  const w = await conn.nextWriter(TextMessage)
  await w.write('a fragmented client message')
  await w.close()
  t.same(await conn.readMessage(), [TextMessage, Buffer.from('a fragmented client message')])
  t.equal(gets.length, 1)
  const serverSide = [...srv.wss.clients][0] as WsSocket
  serverSide.ping('hi')
  const [pong] = (await once(serverSide, 'pong')) as [Buffer]
  t.equal(pong.toString(), 'hi')
  await conn.writeControl(PingMessage, 'from client')
})

describeMatrix('the Dialer against the upgrader: echo of text and binary', async (t, _kind, start) => {
  const srv = await start()
  const [conn, res] = await DefaultDialer.dial(srv.url(), null)
  t.teardown(() => conn.close())
  t.equal(res.statusCode, 101)
  await conn.writeMessage(TextMessage, 'hello')
  t.same(await conn.readMessage(), [TextMessage, Buffer.from('hello')])
  const big = Buffer.alloc(300_000, 9)
  await conn.writeMessage(BinaryMessage, big)
  const [type, echoed] = await conn.readMessage()
  t.equal(type, BinaryMessage)
  t.ok(echoed.equals(big), 'a masked 300 kB client message comes back intact')
})

describeMatrix('the Dialer against the upgrader: subprotocol', async (t, kind, start) => {
  const srv = await start({ subprotocols: ['chat', 'superchat'] })
  const [conn, res] = await new Dialer({ subprotocols: ['superchat', 'chat'] }).dial(srv.url())
  t.teardown(() => conn.close())
  // gorilla's Upgrader takes the client's first supported protocol, hertz-contrib the server's first asked for.
  const expected = kind === 'legacy' ? 'chat' : 'superchat'
  t.equal(conn.subprotocol(), expected)
  t.equal(res.headers['sec-websocket-protocol'], expected)
  const [none] = await new Dialer({ subprotocols: ['other'] }).dial(srv.url())
  t.teardown(() => none.close())
  t.equal(none.subprotocol(), '', 'nothing in common: no subprotocol')
})

describeMatrix('the Dialer against the upgrader: compression', async (t, _kind, start) => {
  const srv = await start({ enableCompression: true })
  const [conn, res] = await new Dialer({ enableCompression: true }).dial(srv.url())
  t.teardown(() => conn.close())
  t.equal(res.headers['sec-websocket-extensions'], 'permessage-deflate; server_no_context_takeover; client_no_context_takeover')
  const text = 'compress me '.repeat(20_000)
  await conn.writeMessage(TextMessage, text)
  t.same(await conn.readMessage(), [TextMessage, Buffer.from(text)])
  const serverSocket = srv.sockets[srv.sockets.length - 1]!
  t.ok(serverSocket.bytesRead < text.length / 10, `the message went compressed (${serverSocket.bytesRead} bytes)`)

  const [plain, plainRes] = await new Dialer({ enableCompression: false }).dial(srv.url())
  t.teardown(() => plain.close())
  t.equal(plainRes.headers['sec-websocket-extensions'], undefined, 'not offered, not agreed')
  await plain.writeMessage(TextMessage, 'plain')
  t.same(await plain.readMessage(), [TextMessage, Buffer.from('plain')])
})

describeMatrix('the Dialer against the upgrader: a cross-origin dial is refused with 403', async (t, _kind, start) => {
  const srv = await start()
  const err = (await DefaultDialer.dial(srv.url(), { Origin: 'http://evil.example' }).catch((e: unknown) => e)) as BadHandshakeError
  t.ok(err instanceof WsCompatError)
  t.equal(err.code, ErrBadHandshake.code)
  t.equal(err.response.statusCode, 403)
  t.equal(err.status, 403)
  t.equal(err.body.toString().trim(), 'Forbidden', 'the default refusal body')
  const refusal = (await srv.nextRejection()) as WsCompatError
  t.equal(refusal.code, WsCompatErrorCode.HANDSHAKE, 'the server side rejected with its own code')
  t.equal(refusal.status, 403)
})

const acceptKey = await import('./rules.js')
