import t from 'tap'
import { once } from 'node:events'
import { constants as zlib, inflateRawSync } from 'node:zlib'
import WebSocket from 'ws'
import type { Conn } from './conn.js'
import { formatCloseMessage } from './close-error.js'
import { BinaryMessage, CloseMessage, CloseNormalClosure, PingMessage, TextMessage } from '../constants.js'
import { WsCompatErrorCode } from '../errors.js'
import { PreparedMessage, deflatedPayload, newPreparedMessage } from './prepared.js'
import { describeMatrix } from '@hertz-node/test-kit/matrix'
import { RawClient } from '@hertz-node/test-kit/raw-client'
import { clientFrame } from '@hertz-node/test-kit/frames'
import { nextMessage, pair } from '@hertz-node/test-kit/pair'
import { startServer } from '@hertz-node/test-kit/conn-server'
import type { Teardown } from '@hertz-node/test-kit/teardown'

const DEFLATE_OFFER = 'Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover'
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff])

function inflate (payload: Buffer): Buffer {
  return inflateRawSync(Buffer.concat([payload, TAIL]), { finishFlush: zlib.Z_SYNC_FLUSH })
}

async function rawDeflatePair (t: Teardown): Promise<[Conn, RawClient]> {
  const srv = await startServer(t, () => {}, { compression: true })
  const raw = await RawClient.connect(t, srv.port, Buffer.alloc(0), [DEFLATE_OFFER])
  return [srv.conns[0] as Conn, raw]
}

const repetitive = 'the quick brown fox jumps over the lazy dog. '.repeat(200)

t.test('compression negotiated: a ws client round-trips compressed messages', async (t) => {
  const { server, client } = await pair(t, 'server-conn-on-node-http', { compression: true, client: { perMessageDeflate: { threshold: 0 } } })
  t.match(client.extensions, /permessage-deflate/)
  client.send(repetitive)
  t.same(await server.readMessage(), [TextMessage, Buffer.from(repetitive)])
  await server.writeMessage(TextMessage, repetitive)
  t.same(await nextMessage(client), [Buffer.from(repetitive), false])
  await server.writeMessage(BinaryMessage, Buffer.alloc(0))
  t.same(await nextMessage(client), [Buffer.alloc(0), true], 'an empty compressed message')
})

t.test('compressed frames on the wire: RSV1 set, payload deflated', async (t) => {
  const [server, raw] = await rawDeflatePair(t)
  await server.writeMessage(TextMessage, repetitive)
  const frame = await raw.readFrame()
  t.equal(frame?.rsv1, true)
  t.ok((frame?.payload.length ?? Infinity) < repetitive.length / 10, 'much smaller than the text')
  t.equal(inflate(frame?.payload ?? Buffer.alloc(0)).toString(), repetitive)
})

t.test('control frames are never compressed', async (t) => {
  const [server, raw] = await rawDeflatePair(t)
  await server.writeControl(PingMessage, 'ping')
  const frame = await raw.readFrame()
  t.same({ rsv1: frame?.rsv1, opcode: frame?.opcode, payload: frame?.payload.toString() }, {
    rsv1: false,
    opcode: PingMessage,
    payload: 'ping',
  })
})

t.test('enableWriteCompression(false) sends plain frames; true again compresses', async (t) => {
  const [server, raw] = await rawDeflatePair(t)
  server.enableWriteCompression(false)
  await server.writeMessage(TextMessage, 'plain')
  const plain = await raw.readFrame()
  t.equal(plain?.rsv1, false)
  t.equal(plain?.payload.toString(), 'plain')
  server.enableWriteCompression(true)
  await server.writeMessage(TextMessage, 'packed')
  const packed = await raw.readFrame()
  t.equal(packed?.rsv1, true)
  t.equal(inflate(packed?.payload ?? Buffer.alloc(0)).toString(), 'packed')
})

t.test('setCompressionLevel changes the deflate level of later messages', async (t) => {
  const [server, raw] = await rawDeflatePair(t)
  const sizes: number[] = []
  for (const level of [0, 9, -2, -1]) {
    server.setCompressionLevel(level)
    await server.writeMessage(TextMessage, repetitive)
    const frame = await raw.readFrame()
    t.equal(inflate(frame?.payload ?? Buffer.alloc(0)).toString(), repetitive, `level ${level} inflates`)
    sizes.push(frame?.payload.length ?? 0)
  }
  t.ok((sizes[0] as number) > repetitive.length, 'level 0 stores')
  t.ok((sizes[1] as number) < repetitive.length / 10, 'level 9 compresses')
})

t.test('a fragmented compressed message from nextWriter', async (t) => {
  const { server, client } = await pair(t, 'server-conn-on-node-http', {
    compression: true,
    conn: { writeBufferSize: 512 },
    client: { perMessageDeflate: { threshold: 0 } },
  })
  const w = await server.nextWriter(TextMessage)
  for (let i = 0; i < 20; i++) await w.write(repetitive.slice(0, 400))
  await w.close()
  t.same(await nextMessage(client), [Buffer.from(repetitive.slice(0, 400).repeat(20)), false])
})

t.test('compressed messages from the client inflate on the server, over a raw socket', async (t) => {
  const [server, raw] = await rawDeflatePair(t)
  // deflate-raw of "hi" with a sync flush, minus the trailing 00 00 ff ff
  raw.send(clientFrame(TextMessage, Buffer.from([0xca, 0xc8, 0x04, 0x00]), { rsv1: true }))
  t.same(await server.readMessage(), [TextMessage, Buffer.from('hi')])
  raw.send(clientFrame(TextMessage, Buffer.from([0xff, 0xff, 0xff]), { rsv1: true }))
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.INVALID_UTF8 })
  const close = await raw.readFrame()
  t.equal(close?.payload.readUInt16BE(0), 1007, 'corrupt deflate data closes with 1007')
})

t.test('compression is not used when the server does not enable it', async (t) => {
  const { server, client } = await pair(t, 'server-conn-on-node-http', { compression: false, client: { perMessageDeflate: true } })
  t.equal(client.extensions, '')
  await server.writeMessage(TextMessage, repetitive)
  t.same(await nextMessage(client), [Buffer.from(repetitive), false])
})

t.test('a prepared message goes to plain and compressed connections alike', async (t) => {
  const srv = await startServer(t, () => {}, { compression: true })
  const clients: WebSocket[] = []
  for (const deflate of [true, true, false]) {
    const ws = new WebSocket(srv.url, { perMessageDeflate: deflate })
    t.teardown(() => ws.terminate())
    await once(ws, 'open')
    clients.push(ws)
  }
  const source = Buffer.from(repetitive)
  const pm = newPreparedMessage(TextMessage, source)
  source.fill(0)
  t.ok(pm instanceof PreparedMessage)
  const received = clients.map((ws) => nextMessage(ws))
  for (const conn of srv.conns) await conn.writePreparedMessage(pm)
  for (const got of received) t.same(await got, [Buffer.from(repetitive), false])
  t.equal(deflatedPayload(pm, 1, 15), deflatedPayload(pm, 1, 15), 'compressed once per setting')
  t.same(srv.conns.map((c) => c.subprotocol()), ['', '', ''])
})

t.test('a prepared message through a raw socket: compressed frame and control type', async (t) => {
  const [server, raw] = await rawDeflatePair(t)
  await server.writePreparedMessage(newPreparedMessage(BinaryMessage, repetitive))
  const frame = await raw.readFrame()
  t.equal(frame?.rsv1, true)
  t.equal(inflate(frame?.payload ?? Buffer.alloc(0)).toString(), repetitive)
  await server.writePreparedMessage(newPreparedMessage(PingMessage, 'p'))
  const ping = await raw.readFrame()
  t.same([ping?.rsv1, ping?.opcode, ping?.payload.toString()], [false, PingMessage, 'p'])
})

t.test('newPreparedMessage refuses bad types and oversized control payloads', async (t) => {
  t.throws(() => newPreparedMessage(7, 'x'), { code: WsCompatErrorCode.BAD_WRITE_OPCODE })
  t.throws(() => newPreparedMessage(PingMessage, 'x'.repeat(126)), { code: WsCompatErrorCode.INVALID_CONTROL_FRAME })
})

for (const closing of [false, true]) {
  const how = closing ? 'calls close() right after queuing its writes' : 'returns without awaiting its writes'
  describeMatrix(`a handler that ${how}: the compressed message and the close frame still go out`, async (t, _kind, start) => {
    const big = 'lorem ipsum dolor sit amet '.repeat(40_000) // about 1 MB: deflating it takes a while
    const srv = await start({
      enableCompression: true,
      onConn: (conn: Conn) => {
        void conn.writeMessage(TextMessage, big).catch(() => {})
        void conn.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, 'bye')).catch(() => {})
        if (closing) conn.close()
      },
    })
    const client = new WebSocket(srv.url(), { perMessageDeflate: true })
    t.teardown(() => client.terminate())
    const got = once(client, 'message') as Promise<[Buffer, boolean]>
    const closed = once(client, 'close') as Promise<[number, Buffer]>
    const [data] = await got
    t.equal(data.length, big.length, 'the whole message arrived')
    const [code, reason] = await closed
    t.equal(code, CloseNormalClosure)
    t.equal(reason.toString(), 'bye')
  })
}
