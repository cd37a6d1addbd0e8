import t from 'tap'
import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import WebSocket from 'ws'
import { BinaryMessage, TextMessage } from '../constants.js'
import { WsCompatErrorCode } from '../errors.js'
import type { Conn } from '../conn/conn.js'
import { TCPAddr } from '../conn/net-conn.js'
import { newServerConn } from './server-conn.js'
import { RawClient } from '@hertz-node/test-kit/raw-client'
import { clientFrame } from '@hertz-node/test-kit/frames'
import { echo } from '@hertz-node/test-kit/echo'
import { startServer } from '@hertz-node/test-kit/conn-server'

t.test('a raw socket handshake whose first frame arrives with the request keeps that frame', async (t) => {
  const { port } = await startServer(t, (conn) => { void echo(conn) })
  // The frame travels in the same write as the request: the server finds it in `head`.
  const client = await RawClient.connect(t, port, clientFrame(TextMessage, 'in the head'))
  t.match(client.response, /^HTTP\/1\.1 101 /)
  const frame = await client.readFrame()
  t.same(frame, { fin: true, rsv1: false, opcode: TextMessage, masked: false, payload: Buffer.from('in the head') })
})

t.test('a ws client echoes text and binary through newServerConn', async (t) => {
  const { url } = await startServer(t, (conn) => { void echo(conn) }, { subprotocols: ['chat'] })
  const ws = new WebSocket(url, ['chat'])
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  t.equal(ws.protocol, 'chat')
  ws.send('hello')
  const [text, textIsBinary] = (await once(ws, 'message')) as [Buffer, boolean]
  t.equal(text.toString(), 'hello')
  t.equal(textIsBinary, false)
  ws.send(Buffer.from([1, 2, 3]))
  const [bin, binIsBinary] = (await once(ws, 'message')) as [Buffer, boolean]
  t.same([...bin], [1, 2, 3])
  t.equal(binIsBinary, true)
})

t.test('subprotocol and addresses are reported', async (t) => {
  let resolveConn: (v: [string, string, string]) => void
  const seen = new Promise<[string, string, string]>((resolve) => {
    resolveConn = resolve
  })
  const { url, port } = await startServer(
    t,
    (conn) => resolveConn([conn.subprotocol(), String(conn.localAddr()), String(conn.remoteAddr())]),
    { subprotocols: ['b', 'a'] }
  )
  const ws = new WebSocket(url, ['a', 'b'])
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  const [protocol, local, remote] = await seen
  t.equal(protocol, 'b')
  t.equal(local, `127.0.0.1:${port}`)
  t.match(remote, /^127\.0\.0\.1:\d+$/)
})

t.test('no subprotocol reports an empty string', async (t) => {
  const got = new Promise<string>((resolve) => {
    void startServer(t, (conn) => resolve(conn.subprotocol())).then(({ url }) => {
      const ws = new WebSocket(url)
      t.teardown(() => ws.terminate())
      ws.on('error', () => {})
    })
  })
  t.equal(await got, '')
})

t.test('binary message type constant round-trips', async (t) => {
  const got = new Promise<number>((resolve) => {
    void startServer(t, async (conn) => resolve((await conn.readMessage())[0])).then(({ url }) => {
      const ws = new WebSocket(url)
      t.teardown(() => ws.terminate())
      ws.on('open', () => ws.send(Buffer.from('x')))
    })
  })
  t.equal(await got, BinaryMessage)
})

t.test('a socket that closed during the handshake gives a conn whose reads end at once', async (t) => {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  const accepted = once(server, 'connection') as Promise<[Socket]>
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
  const [socket] = await accepted
  client.destroy()
  socket.on('error', () => {})
  await once(socket, 'close')
  const conn = newServerConn({ socket, head: Buffer.alloc(0), subprotocol: '', compression: false })
  await t.rejects(conn.readMessage(), { code: 1006, message: 'websocket: close 1006 (abnormal closure): unexpected EOF' })
  await t.rejects(conn.writeMessage(TextMessage, 'x'), { code: WsCompatErrorCode.CONN_CLOSED })
  conn.close()
})

t.test('a NetConn passed in is what netConn() returns; close() closes it once', async (t) => {
  const calls: string[] = []
  let resolveConn: (c: Conn) => void
  const got = new Promise<Conn>((resolve) => {
    resolveConn = resolve
  })
  const { url } = await startServer(t, (c) => resolveConn(c), {
    conn: {
      netConn: {
        setReadTimeout: (ms) => calls.push(`read ${ms}`),
        setWriteTimeout: (ms) => calls.push(`write ${ms}`),
        localAddr: () => new TCPAddr('::1', 1),
        remoteAddr: () => new TCPAddr('10.0.0.1', 2),
        close: () => calls.push('close'),
      },
    },
  })
  const ws = new WebSocket(url)
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  const c = await got
  c.netConn().setReadTimeout(5)
  c.netConn().setWriteTimeout(6)
  t.equal(String(c.localAddr()), '[::1]:1')
  t.equal(c.remoteAddr().string(), '10.0.0.1:2')
  t.equal(c.remoteAddr().network(), 'tcp')
  c.close()
  c.close()
  t.same(calls, ['read 5', 'write 6', 'close'])
})

t.test('the default netConn reports TCP addresses', async (t) => {
  const got = new Promise<Conn>((resolve) => {
    void startServer(t, (conn) => resolve(conn)).then(({ url }) => {
      const ws = new WebSocket(url)
      t.teardown(() => ws.terminate())
      ws.on('error', () => {})
    })
  })
  const conn = await got
  const local = conn.netConn().localAddr()
  t.equal(local.network(), 'tcp')
  t.match(local.string(), /^127\.0\.0\.1:\d+$/)
  t.ok(local instanceof TCPAddr)
  t.equal((local as TCPAddr).ip, '127.0.0.1')
})
