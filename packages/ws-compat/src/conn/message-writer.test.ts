import t from 'tap'
import WebSocket from 'ws'
import { once } from 'node:events'
import type { BufferPool } from './buffer-pool.js'
import type { Conn } from './conn.js'
import { BinaryMessage, PingMessage, TextMessage } from '../constants.js'
import { WsCompatErrorCode } from '../errors.js'
import { newPreparedMessage } from './prepared.js'
import { RawClient } from '@hertz-node/test-kit/raw-client'
import { nextMessage, pair } from '@hertz-node/test-kit/pair'
import { startServer } from '@hertz-node/test-kit/conn-server'
import type { RawFrame } from '@hertz-node/test-kit/frames'
import type { Teardown } from '@hertz-node/test-kit/teardown'

/** The seed's simpleBufferPool, with counters. */
class CountingPool implements BufferPool {
  v: unknown = undefined
  gets = 0
  hits = 0
  puts = 0
  get (): unknown {
    this.gets++
    const v = this.v
    this.v = undefined
    if (v !== undefined) this.hits++
    return v
  }

  put (v: unknown): void {
    this.puts++
    this.v = v
  }
}

async function rawPair (t: Teardown, writeBufferSize: number): Promise<[Conn, RawClient]> {
  const srv = await startServer(t, () => {}, { conn: { writeBufferSize } })
  const raw = await RawClient.connect(t, srv.port)
  return [srv.conns[0] as Conn, raw]
}

function summary (frame: RawFrame | null): string {
  if (frame === null) return 'closed'
  return `${frame.opcode}${frame.fin ? ' fin' : ''} ${frame.payload.toString()}`
}

t.test('a writer sends a fragment each time its buffer fills, and the rest on close', async (t) => {
  const [server, raw] = await rawPair(t, 8)
  const w = await server.nextWriter(TextMessage)
  t.equal(await w.write('abcde'), 5)
  t.equal(await w.write('fghij'), 5, 'the buffer filled: one fragment went out')
  t.equal(await w.write(Buffer.from('klmnop')), 6)
  t.equal(await w.write('q'), 1, 'a full buffer is sent only when more data comes, as gorilla does')
  await w.close()
  t.equal(summary(await raw.readFrame()), '1 abcdefgh')
  t.equal(summary(await raw.readFrame()), '0 ijklmnop')
  t.equal(summary(await raw.readFrame()), '0 fin q')
})

t.test('writes need not be awaited: they are staged in order', async (t) => {
  const [server, raw] = await rawPair(t, 4)
  const w = await server.nextWriter(BinaryMessage)
  void w.write('12')
  void w.write('345')
  void w.write('6789')
  await w.close()
  const frames: string[] = []
  for (;;) {
    const frame = await raw.readFrame()
    frames.push(frame?.payload.toString() ?? '')
    if (frame === null || frame.fin) break
  }
  t.equal(frames.join(''), '123456789')
})

t.test('a write larger than twice the buffer goes out as its own fragment', async (t) => {
  const [server, raw] = await rawPair(t, 4)
  const w = await server.nextWriter(TextMessage)
  await w.write('ab')
  await w.write('0123456789')
  await w.close()
  t.equal(summary(await raw.readFrame()), '1 ab')
  t.equal(summary(await raw.readFrame()), '0 0123456789')
  t.equal(summary(await raw.readFrame()), '0 fin ')
})

t.test('a closed writer refuses writes; closing twice fails', async (t) => {
  const { server, client } = await pair(t, 'server-conn-on-node-http')
  const w = await server.nextWriter(TextMessage)
  await w.write('once')
  await w.close()
  t.same(await nextMessage(client), [Buffer.from('once'), false])
  await t.rejects(w.write('again'), { code: WsCompatErrorCode.WRITE_CLOSED, message: 'websocket: write closed' })
  await t.rejects(w.close(), { code: WsCompatErrorCode.WRITE_CLOSED })
})

t.test('data writes wait behind an open writer and keep their order', async (t) => {
  const { server, client } = await pair(t, 'server-conn-on-node-http')
  const received: string[] = []
  const done = new Promise<void>((resolve) =>
    client.on('message', (data: Buffer) => {
      received.push(data.toString())
      if (received.length === 5) resolve()
    })
  )
  const w = await server.nextWriter(TextMessage)
  await w.write('first ')
  const second = server.writeMessage(TextMessage, 'second')
  const third = server.nextWriter(TextMessage).then(async (w3) => {
    await w3.write('third')
    await w3.close()
  })
  const fourth = server.writeJSON('fourth')
  const fifth = server.writePreparedMessage(newPreparedMessage(TextMessage, 'fifth'))
  await w.write('message')
  await w.close()
  await Promise.all([second, third, fourth, fifth])
  await done
  t.same(received, ['first message', 'second', 'third', '"fourth"\n', 'fifth'])
})

t.test('control frames may go between the fragments of an open writer', async (t) => {
  const [server, raw] = await rawPair(t, 2)
  const w = await server.nextWriter(TextMessage)
  await w.write('ab')
  await w.write('c')
  await server.writeControl(PingMessage, 'between')
  await w.close()
  t.equal(summary(await raw.readFrame()), '1 ab')
  t.equal(summary(await raw.readFrame()), '9 fin between')
  t.equal(summary(await raw.readFrame()), '0 fin c')
})

t.test('a control message through a writer must fit one frame of 125 bytes', async (t) => {
  const { server } = await pair(t, 'server-conn-on-node-http')
  const w = await server.nextWriter(PingMessage)
  await w.write('x'.repeat(126))
  await t.rejects(w.close(), { code: WsCompatErrorCode.INVALID_CONTROL_FRAME })
  // The failed writer released the connection.
  await server.writeMessage(TextMessage, 'next')
})

t.test('one buffer pool shared by connections: each message takes a buffer and gives it back', async (t) => {
  const pool = new CountingPool()
  const srv = await startServer(t, () => {}, { conn: { writeBufferPool: pool, writeBufferSize: 64 } })
  const clients: WebSocket[] = []
  for (let i = 0; i < 2; i++) {
    const ws = new WebSocket(srv.url)
    t.teardown(() => ws.terminate())
    await once(ws, 'open')
    clients.push(ws)
  }
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 2; i++) {
      const conn = srv.conns[i] as Conn
      const w = await conn.nextWriter(TextMessage)
      await w.write(`conn ${i} round ${round} `.padEnd(100, '.'))
      await w.close()
      const [data] = await nextMessage(clients[i] as WebSocket)
      t.equal(data.toString(), `conn ${i} round ${round} `.padEnd(100, '.'))
    }
  }
  t.equal(pool.gets, 6, 'one get per message')
  t.equal(pool.puts, 6, 'one put per message')
  t.equal(pool.hits, 5, 'every message after the first reused the pooled buffer')
  // writeMessage hands its data to the socket directly and does not touch the pool.
  await (srv.conns[0] as Conn).writeMessage(TextMessage, 'direct')
  t.equal(pool.gets, 6)
})

t.test('a pool holding foreign values is not trusted', async (t) => {
  const pool = new CountingPool()
  pool.v = 'not a buffer'
  const srv = await startServer(t, () => {}, { conn: { writeBufferPool: pool } })
  const ws = new WebSocket(srv.url)
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  const w = await (srv.conns[0] as Conn).nextWriter(BinaryMessage)
  await w.write(Buffer.from([1, 2]))
  await w.close()
  t.same(await nextMessage(ws), [Buffer.from([1, 2]), true])
  t.equal(pool.puts, 1)
})

t.test('a writer on a closed connection fails', async (t) => {
  const { server } = await pair(t, 'server-conn-on-node-http')
  const w = await server.nextWriter(TextMessage)
  server.close()
  await t.rejects(w.write('x'.repeat(10_000)), { code: WsCompatErrorCode.CONN_CLOSED })
  await t.rejects(server.nextWriter(TextMessage), { code: WsCompatErrorCode.CONN_CLOSED })
})
