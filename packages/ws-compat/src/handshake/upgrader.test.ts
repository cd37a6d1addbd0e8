/**
 * Behaviour both upgraders share (or deliberately differ on), run as one matrix: the deprecated
 * HertzUpgrader in the router (`legacy`), and the recommended Upgrader through adaptor.handler in the router
 * (`recommended`) and in a plain node:http server (`upgrader-on-node-http`). Refused handshakes are in handshake-refusal.test.ts.
 */
import t from 'tap'
import { createServer, type IncomingMessage } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { hijack, upgradeResponse } from '@hertz-node/adaptor'
import { once } from 'node:events'
import WebSocket from 'ws'
import { TextMessage } from '../constants.js'
import { WsCompatError } from '../errors.js'
import { Upgrader } from './upgrader.js'
import { describeMatrix, type Tap } from '@hertz-node/test-kit/matrix'
import { echo } from '@hertz-node/test-kit/echo'
import { ACCEPT, handshakeRequest } from '@hertz-node/test-kit/handshake'
import { clientFrame } from '@hertz-node/test-kit/frames'
import { frameReader, rawResponse } from '@hertz-node/test-kit/raw-http'

describeMatrix('a valid handshake gets a 101 and an echoing connection', async (t, _kind, start) => {
  const srv = await start()
  const r = await rawResponse(t, srv.port, handshakeRequest())
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
  const r = await rawResponse(t, srv.port, Buffer.concat([Buffer.from(handshakeRequest()), clientFrame(TextMessage, 'early')]))
  t.equal(r.status, 101)
  const f = await frameReader(r.socket, r.rest).next()
  t.equal(f.payload.toString(), 'early')
})

describeMatrix('subprotocol selection', async (t, kind, start) => {
  const srv = await start({ subprotocols: ['a', 'b'] })
  const both = await rawResponse(t, srv.port, handshakeRequest({ headers: { 'Sec-WebSocket-Protocol': 'b, a' } }))
  // gorilla: the client's first supported protocol; hertz-contrib: the server's first requested protocol.
  t.equal(both.headers['sec-websocket-protocol']?.[0], kind === 'legacy' ? 'a' : 'b')
  const none = await rawResponse(t, srv.port, handshakeRequest({ headers: { 'Sec-WebSocket-Protocol': 'x, y' } }))
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
  const r = await rawResponse(t, srv.port, handshakeRequest({ headers: { 'Sec-WebSocket-Protocol': 'app' } }))
  t.same(r.headers['sec-websocket-protocol'], ['app'], 'present exactly once')
})

describeMatrix('compression is negotiated and round-trips', async (t, _kind, start) => {
  const srv = await start({ enableCompression: true })
  const r = await rawResponse(t, srv.port, handshakeRequest({
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
    get (): unknown {
      const v = this.v
      this.v = undefined
      return v
    }

    put (v: unknown): void {
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

t.test('Upgrader: fields are plain, writable properties with gorilla defaults', async (t) => {
  const u = new Upgrader()
  t.same(
    [u.handshakeTimeout, u.readBufferSize, u.writeBufferSize, u.writeBufferPool, u.subprotocols, u.error, u.checkOrigin, u.enableCompression],
    [0, 0, 0, undefined, undefined, undefined, undefined, false]
  )
  u.enableCompression = true
  u.subprotocols = ['x']
  t.equal(new Upgrader({ handshakeTimeout: 5000 }).handshakeTimeout, 5000)
})

/** A bare server whose 'upgrade' listener is `onUpgrade`; closed at teardown. */
async function bareServer (t: Tap, onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): Promise<number> {
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
      const r = await rawResponse(t, port, handshakeRequest()).catch((err: Error) => err)
      t.match(String(r), /still mine/, 'only the first owner wrote to the socket')
    })
  })
  const err = await outcome
  t.equal((err as WsCompatError).code, 'WS_COMPAT_ERR_HANDSHAKE')
  t.equal((err as WsCompatError).message, 'websocket: hijack: conn hijacked')
  t.equal(((err as WsCompatError).cause as { code: string }).code, 'ADAPTOR_ERR_HIJACKED')
})
