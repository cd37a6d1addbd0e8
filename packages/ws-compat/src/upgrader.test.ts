/**
 * Behaviour both upgraders share (or deliberately differ on), run as one matrix: the deprecated
 * HertzUpgrader in the router (`legacy`), and the recommended Upgrader through adaptor.handler in the router
 * (`adaptor`) and in a bare node:http server (`bare`).
 */
import t from 'tap'
import { createServer, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { hijack, upgradeResponse } from '@hertz-node/adaptor'
import { once } from 'node:events'
import WebSocket from 'ws'
import { TextMessage } from './constants.js'
import { WsCompatError } from './errors.js'
import { Upgrader } from './upgrader.js'
import { describeMatrix, echo, startUpgraderServer, type Tap, type UpgraderKind } from './test-util/matrix.js'
import { ACCEPT, clientFrame, frameReader, handshakeRequest, rawExchange, type RawResponse } from './test-util/raw-http.js'

const NOT_WS = 'websocket: the client is not using the websocket protocol: '

/** Expected answer of one refused handshake, per upgrader. */
interface Refusal {
  status: number
  message: string
  /** Headers that must be present with these values. */
  headers?: Record<string, string>
}

interface Row {
  name: string
  request: string
  responseHeader?: OutgoingHttpHeaders
  expect: Record<'legacy' | 'bare', Refusal>
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 403: 'Forbidden', 405: 'Method Not Allowed', 426: 'Upgrade Required', 500: 'Internal Server Error',
}

const rows: Row[] = [
  {
    name: "Connection lacks 'upgrade'",
    request: handshakeRequest({ headers: { Connection: 'close' } }),
    expect: {
      bare: { status: 400, message: NOT_WS + "'upgrade' token not found in 'Connection' header" },
      legacy: { status: 400, message: NOT_WS + " 'upgrade' token not found in 'Connection' header" },
    },
  },
  {
    name: "Upgrade lacks 'websocket'",
    request: handshakeRequest({ headers: { Upgrade: 'h2c' } }),
    expect: {
      bare: { status: 426, message: NOT_WS + "'websocket' token not found in 'Upgrade' header", headers: { upgrade: 'websocket' } },
      legacy: { status: 400, message: NOT_WS + " 'websocket' token not found in 'Upgrade' header" },
    },
  },
  {
    name: 'method is not GET',
    request: handshakeRequest({ method: 'POST', headers: { 'Content-Length': '0' } }),
    expect: {
      bare: { status: 405, message: NOT_WS + 'request method is not GET' },
      legacy: { status: 405, message: NOT_WS + ' request method is not GET' },
    },
  },
  {
    name: 'version is not 13',
    request: handshakeRequest({ headers: { 'Sec-WebSocket-Version': '8' } }),
    expect: {
      bare: { status: 400, message: "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header" },
      legacy: { status: 400, message: "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header" },
    },
  },
  {
    name: 'the application set Sec-WebSocket-Extensions',
    request: handshakeRequest(),
    responseHeader: { 'Sec-WebSocket-Extensions': 'x-custom' },
    expect: {
      bare: { status: 500, message: "websocket: application specific 'Sec-WebSocket-Extensions' headers are unsupported" },
      legacy: { status: 500, message: "websocket: application specific 'Sec-WebSocket-Extensions' headers are unsupported" },
    },
  },
  {
    name: 'cross-origin request',
    request: handshakeRequest({ headers: { Origin: 'http://evil.example' } }),
    expect: {
      bare: { status: 403, message: 'websocket: request origin not allowed by Upgrader.CheckOrigin' },
      legacy: { status: 403, message: 'websocket: request origin not allowed by HertzUpgrader.CheckOrigin' },
    },
  },
  {
    name: 'unparsable Origin',
    request: handshakeRequest({ headers: { Origin: 'http://[::1' } }),
    expect: {
      bare: { status: 403, message: 'websocket: request origin not allowed by Upgrader.CheckOrigin' },
      legacy: { status: 403, message: 'websocket: request origin not allowed by HertzUpgrader.CheckOrigin' },
    },
  },
  {
    name: 'Sec-WebSocket-Key missing',
    request: handshakeRequest({ headers: { 'Sec-WebSocket-Key': null } }),
    expect: {
      bare: {
        status: 400,
        message: "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length",
      },
      legacy: { status: 400, message: "websocket: not a websocket handshake: `Sec-WebSocket-Key' header is missing or blank" },
    },
  },
  {
    // The order differs: gorilla looks at the headers first, hertz-contrib at the method first.
    name: 'POST without the upgrade token (check order)',
    request: handshakeRequest({ method: 'POST', headers: { Connection: 'close', 'Content-Length': '0' } }),
    expect: {
      bare: { status: 400, message: NOT_WS + "'upgrade' token not found in 'Connection' header" },
      legacy: { status: 405, message: NOT_WS + ' request method is not GET' },
    },
  },
]

function assertDefaultErrorResponse(t: Tap, kind: UpgraderKind, r: RawResponse, status: number): void {
  t.equal(r.status, status, 'status')
  t.equal(r.headers['content-type']?.[0], 'text/plain; charset=utf-8', 'content type')
  if (kind !== 'legacy') {
    // Go's http.Error: status text plus newline, nosniff; gorilla adds Sec-WebSocket-Version: 13.
    t.equal(r.body, `${STATUS_TEXT[status]}\n`, 'body')
    t.equal(r.headers['sec-websocket-version']?.[0], '13', 'Sec-WebSocket-Version kept')
    t.equal(r.headers['x-content-type-options']?.[0], 'nosniff')
  } else {
    // Hertz's AbortWithMsg resets the response, so the Sec-Websocket-Version set just before it is dropped.
    t.equal(r.body, STATUS_TEXT[status], 'body')
    t.notOk(r.headers['sec-websocket-version'], 'AbortWithMsg reset the response headers')
  }
}

for (const row of rows) {
  describeMatrix(`refused handshake: ${row.name}`, async (t, kind, start) => {
    const srv = await start({ responseHeader: row.responseHeader })
    const expected = row.expect[kind === 'legacy' ? 'legacy' : 'bare']
    const r = await rawExchange(t, srv.port, row.request)
    assertDefaultErrorResponse(t, kind, r, expected.status)
    for (const [name, value] of Object.entries(expected.headers ?? {})) t.equal(r.headers[name]?.[0], value, name)
    const err = await srv.nextRejection()
    t.ok(err instanceof WsCompatError, 'typed error')
    t.equal((err as WsCompatError).code, 'WS_COMPAT_ERR_HANDSHAKE')
    t.equal(err.message, expected.message, 'message text')
    t.equal((err as WsCompatError).status, expected.status, 'the error carries the status answered')
    await r.closed
    t.pass('the server closed the connection')
  })
}

describeMatrix('refused handshake through a custom error callback', async (t, _kind, start) => {
  const srv = await start({ customError: true })
  const r = await rawExchange(t, srv.port, handshakeRequest({ headers: { Origin: 'http://evil.example' } }))
  t.equal(r.status, 403)
  t.equal(r.headers['x-reason-status']?.[0], '403')
  t.match(r.body, /^websocket: request origin not allowed by (Hertz)?Upgrader\.CheckOrigin$/)
  await srv.nextRejection()
  await r.closed
})

describeMatrix('a custom checkOrigin decides', async (t, _kind, start) => {
  const seen: (string | undefined)[] = []
  const srv = await start({ checkOrigin: (origin) => { seen.push(origin); return origin === 'https://trusted.example' } })
  const ok = new WebSocket(srv.url(), { origin: 'https://trusted.example' })
  t.teardown(() => ok.terminate())
  await once(ok, 'open')
  const refused = await rawExchange(t, srv.port, handshakeRequest({ headers: { Origin: 'http://localhost' } }))
  t.equal(refused.status, 403, 'same-origin is not enough when a custom policy says no')
  t.same(seen, ['https://trusted.example', 'http://localhost'])
})

describeMatrix('same-origin default: Origin host equal to Host (case-insensitive) is allowed', async (t, _kind, start) => {
  const srv = await start()
  const r = await rawExchange(t, srv.port, handshakeRequest({ host: 'LocalHost:1234', headers: { Origin: 'http://localhost:1234' } }))
  t.equal(r.status, 101)
})

describeMatrix('a valid handshake gets a 101 and an echoing connection', async (t, _kind, start) => {
  const srv = await start()
  const r = await rawExchange(t, srv.port, handshakeRequest())
  t.equal(r.status, 101)
  t.match(r.head, /^HTTP\/1\.1 101 Switching Protocols\r\n/)
  t.equal(r.headers['upgrade']?.[0], 'websocket')
  t.equal(r.headers['connection']?.[0], 'Upgrade')
  t.equal(r.headers['sec-websocket-accept']?.[0], ACCEPT)
  t.notOk(r.headers['sec-websocket-protocol'], 'no subprotocol asked, none chosen')
  t.notOk(r.headers['sec-websocket-extensions'], 'compression is off by default')
  const frames = frameReader(r.socket, r.rest)
  r.socket.write(clientFrame(TextMessage, 'hello'))
  const f = await frames.next()
  t.same([f.opcode, f.payload.toString()], [TextMessage, 'hello'])

  const ws = new WebSocket(srv.url())
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  ws.send(Buffer.from([1, 2, 3]))
  const [data, isBinary] = await once(ws, 'message')
  t.same([...(data as Buffer)], [1, 2, 3])
  t.equal(isBinary, true)
})

describeMatrix('a frame sent together with the handshake is not lost', async (t, _kind, start) => {
  const srv = await start()
  const r = await rawExchange(t, srv.port, Buffer.concat([Buffer.from(handshakeRequest()), clientFrame(TextMessage, 'early')]))
  t.equal(r.status, 101)
  const f = await frameReader(r.socket, r.rest).next()
  t.equal(f.payload.toString(), 'early')
})

describeMatrix('subprotocol selection', async (t, kind, start) => {
  const srv = await start({ subprotocols: ['a', 'b'] })
  const both = await rawExchange(t, srv.port, handshakeRequest({ headers: { 'Sec-WebSocket-Protocol': 'b, a' } }))
  // gorilla: the client's first supported protocol; hertz-contrib: the server's first requested protocol.
  t.equal(both.headers['sec-websocket-protocol']?.[0], kind === 'legacy' ? 'a' : 'b')
  const none = await rawExchange(t, srv.port, handshakeRequest({ headers: { 'Sec-WebSocket-Protocol': 'x, y' } }))
  t.equal(none.status, 101)
  t.notOk(none.headers['sec-websocket-protocol'], 'no match: no header')

  const ws = new WebSocket(srv.url(), ['z', 'b'])
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  t.equal(ws.protocol, 'b')
})

describeMatrix('the Conn reports the chosen subprotocol', async (t, _kind, start) => {
  let resolve!: (p: string) => void
  const chosen = new Promise<string>((r) => { resolve = r })
  const srv = await start({ subprotocols: ['chat'], onConn: (conn) => { resolve(conn.subprotocol()); return echo(conn) } })
  const ws = new WebSocket(srv.url(), ['chat'])
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  t.equal(await chosen, 'chat')
})

describeMatrix('without subprotocols, a Sec-WebSocket-Protocol set by the application is used', async (t, _kind, start) => {
  const srv = await start({ responseHeader: { 'Sec-WebSocket-Protocol': 'app' } })
  const r = await rawExchange(t, srv.port, handshakeRequest({ headers: { 'Sec-WebSocket-Protocol': 'app' } }))
  t.same(r.headers['sec-websocket-protocol'], ['app'], 'present exactly once')
})

describeMatrix('compression is negotiated and round-trips', async (t, _kind, start) => {
  const srv = await start({ enableCompression: true })
  const r = await rawExchange(t, srv.port, handshakeRequest({
    headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' },
  }))
  t.equal(r.headers['sec-websocket-extensions']?.[0],
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover')

  const ws = new WebSocket(srv.url(), { perMessageDeflate: { threshold: 0 } })
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  t.match(ws.extensions, /permessage-deflate/)
  const big = 'compress me '.repeat(20_000)
  ws.send(big)
  const [data] = await once(ws, 'message')
  t.equal(String(data), big, 'echo intact')
  const socket = (ws as unknown as { _socket: { bytesRead: number } })._socket
  t.ok(socket.bytesRead < big.length / 10, `the echo came compressed (${socket.bytesRead} bytes for ${big.length})`)
})

describeMatrix('compression is refused when disabled', async (t, _kind, start) => {
  const srv = await start()
  const ws = new WebSocket(srv.url())
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  t.equal(ws.extensions, '', 'no extension agreed although the client offered permessage-deflate')
  ws.send('plain')
  const [data] = await once(ws, 'message')
  t.equal(String(data), 'plain')
})

describeMatrix('response headers (Set-Cookie) go onto the 101', async (t, _kind, start) => {
  const srv = await start({ responseHeader: { 'Set-Cookie': ['a=1; Path=/', 'b=2'], 'X-Extra': 'yes' } })
  const ws = new WebSocket(srv.url())
  t.teardown(() => ws.terminate())
  const opened = once(ws, 'open')
  const [res] = (await once(ws, 'upgrade')) as [IncomingMessage]
  t.same(res.headers['set-cookie'], ['a=1; Path=/', 'b=2'])
  t.equal(res.headers['x-extra'], 'yes')
  await opened
})

describeMatrix("the seed's simpleBufferPool works as written", async (t, _kind, start) => {
  // Line for line the seed's Go example.
  class SimpleBufferPool {
    v: unknown
    get(): unknown {
      const v = this.v
      this.v = undefined
      return v
    }
    put(v: unknown): void {
      this.v = v
    }
  }
  const pool = new SimpleBufferPool()
  const srv = await start({
    writeBufferPool: pool,
    writeBufferSize: 256,
    onConn: async (conn) => {
      try {
        for (;;) {
          const [mt, message] = await conn.readMessage()
          const w = await conn.nextWriter(mt)
          await w.write(message)
          await w.close()
        }
      } catch {
        conn.close()
      }
    },
  })
  for (let round = 0; round < 2; round++) {
    const ws = new WebSocket(srv.url())
    t.teardown(() => ws.terminate())
    await once(ws, 'open')
    const msg = `round ${round} `.repeat(100)
    ws.send(msg)
    const [data] = await once(ws, 'message')
    t.equal(String(data), msg, 'a message larger than the buffer arrives whole')
    t.not(pool.v, undefined, 'the writer returned its buffer to the pool')
    ws.close()
    await once(ws, 'close')
  }
})

t.test('Upgrader: CR/LF in a responseHeader value fails with a typed error and a 500', async (t) => {
  const srv = await startUpgraderServer(t, 'bare', { responseHeader: { 'X-Bad': 'a\r\nInjected: 1' } })
  const r = await rawExchange(t, srv.port, handshakeRequest())
  t.equal(r.status, 500)
  t.notOk(r.headers['injected'], 'nothing injected')
  const err = await srv.nextRejection()
  t.equal((err as WsCompatError).code, 'WS_COMPAT_ERR_INVALID_ARGUMENT')
  t.match(err.message, /^websocket: invalid response header: /)
  await r.closed
})

t.test('Upgrader: a key that is not base64 of 16 bytes is refused (HertzUpgrader only checks presence)', async (t) => {
  const bare = await startUpgraderServer(t, 'bare')
  const legacy = await startUpgraderServer(t, 'legacy')
  const request = handshakeRequest({ headers: { 'Sec-WebSocket-Key': 'abc' } })
  const refused = await rawExchange(t, bare.port, request)
  t.equal(refused.status, 400)
  t.equal((await bare.nextRejection()).message,
    "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length")
  const accepted = await rawExchange(t, legacy.port, request)
  t.equal(accepted.status, 101, 'hertz-contrib accepts any non-empty key')
})

t.test('Upgrader: a response that cannot be hijacked is answered 500 "websocket: hijack: ..."', async (t) => {
  // No 'upgrade' listener: Node delivers the handshake as a plain request whose socket the parser keeps.
  const upgrader = new Upgrader()
  const rejected: Error[] = []
  const srv = createServer((req, res) => { upgrader.upgrade(req, res).catch((err: Error) => rejected.push(err)) })
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  t.teardown(() => { srv.closeAllConnections(); srv.close() })
  const r = await rawExchange(t, (srv.address() as AddressInfo).port, handshakeRequest())
  t.equal(r.status, 500)
  t.equal(r.body, 'Internal Server Error\n')
  t.equal(rejected.length, 1)
  t.match(rejected[0]!.message, /^websocket: hijack: /)
  t.equal(((rejected[0] as WsCompatError).cause as { code: string }).code, 'ADAPTOR_ERR_NOT_HIJACKABLE')
})

t.test('Upgrader: fields are plain, writable properties with gorilla defaults', async (t) => {
  const u = new Upgrader()
  t.same(
    [u.handshakeTimeout, u.readBufferSize, u.writeBufferSize, u.writeBufferPool, u.subprotocols, u.error, u.checkOrigin, u.enableCompression],
    [0, 0, 0, undefined, undefined, undefined, undefined, false],
  )
  u.enableCompression = true
  u.subprotocols = ['x']
  t.equal(new Upgrader({ handshakeTimeout: 5000 }).handshakeTimeout, 5000)
})

/** A bare server whose 'upgrade' listener is `onUpgrade`; closed at teardown. */
async function bareServer(t: Tap, onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): Promise<number> {
  const srv = createServer()
  const sockets = new Set<Duplex>()
  srv.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket)
    onUpgrade(req, socket, head)
  })
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    srv.closeAllConnections()
    srv.close()
  })
  return (srv.address() as AddressInfo).port
}

t.test('Upgrader: handshakeTimeout bounds the write of the 101', async (t) => {
  const upgrader = new Upgrader({ handshakeTimeout: 100 })
  let socketOf: Duplex | undefined
  const outcome = new Promise<unknown>((resolve) => {
    void bareServer(t, (req, socket, head) => {
      socketOf = socket
      // A peer that stopped reading: fill the send path so that the 101 cannot leave.
      socket.write(Buffer.alloc(64 * 1024 * 1024))
      upgrader.upgrade(req, upgradeResponse(req, socket, head)).then(resolve, resolve)
    }).then((port) => {
      const client = connect(port, '127.0.0.1', () => client.write(handshakeRequest()))
      client.pause()
      t.teardown(() => client.destroy())
    })
  })
  const err = await outcome
  t.ok(err instanceof WsCompatError)
  t.equal((err as WsCompatError).code, 'WS_COMPAT_ERR_HANDSHAKE_TIMEOUT')
  t.equal((err as WsCompatError).timeout, true)
  t.equal(socketOf!.destroyed, true, 'the socket was closed')
})

t.test('Upgrader: a socket that is gone before the 101 is written rejects with a typed error', async (t) => {
  const upgrader = new Upgrader()
  const outcome = new Promise<unknown>((resolve) => {
    void bareServer(t, (req, socket, head) => {
      const res = upgradeResponse(req, socket, head)
      socket.destroy()
      upgrader.upgrade(req, res).then(resolve, resolve)
    }).then((port) => {
      const client = connect(port, '127.0.0.1', () => client.write(handshakeRequest()))
      client.on('error', () => {})
      t.teardown(() => client.destroy())
    })
  })
  const err = await outcome
  t.ok(err instanceof WsCompatError)
  t.equal((err as WsCompatError).code, 'WS_COMPAT_ERR_NET')
  t.match((err as WsCompatError).message, /^websocket: handshake write: /)
})

t.test('Upgrader: a response someone else already hijacked rejects without writing to it', async (t) => {
  const upgrader = new Upgrader()
  const outcome = new Promise<unknown>((resolve) => {
    void bareServer(t, (req, socket, head) => {
      const res = upgradeResponse(req, socket, head)
      const first = hijack(res)
      upgrader.upgrade(req, res).then(resolve, resolve).finally(() => first.socket.end('still mine'))
    }).then(async (port) => {
      const r = await rawExchange(t, port, handshakeRequest()).catch((err: Error) => err)
      t.match(String(r), /still mine/, 'only the first owner wrote to the socket')
    })
  })
  const err = await outcome
  t.equal((err as WsCompatError).code, 'WS_COMPAT_ERR_HANDSHAKE')
  t.equal((err as WsCompatError).message, 'websocket: hijack: conn hijacked')
  t.equal(((err as WsCompatError).cause as { code: string }).code, 'ADAPTOR_ERR_HIJACKED')
})
