import t from 'tap'
import { once } from 'node:events'
import WebSocket from 'ws'
import { BinaryMessage, TextMessage } from './constants.js'
import { RawClient, clientFrame, echo, startServer } from './test-util/ws-server.js'

t.test('a raw socket handshake whose first frame arrives with the request keeps that frame', async (t) => {
  const { port } = await startServer(t, (conn) => void echo(conn))
  // The frame travels in the same write as the request: the server finds it in `head`.
  const client = await RawClient.connect(t, port, clientFrame(TextMessage, 'in the head'))
  t.match(client.response, /^HTTP\/1\.1 101 /)
  const frame = await client.readFrame()
  t.same(frame, { fin: true, rsv1: false, opcode: TextMessage, payload: Buffer.from('in the head') })
})

t.test('a ws client echoes text and binary through newServerConn', async (t) => {
  const { url } = await startServer(t, (conn) => void echo(conn), { subprotocols: ['chat'] })
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
    { subprotocols: ['b', 'a'] },
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
