import t from 'tap'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type WebSocket from 'ws'
import { BinaryMessage, CloseMessage, CloseNormalClosure, TextMessage } from './constants.js'
import { ErrReadLimit, WsCompatErrorCode } from './errors.js'
import { RawClient, clientFrame, pair, startServer, type RawFrame, type Teardown } from './test-util/ws-server.js'
import type { Conn } from './conn.js'

function closeCode(frame: RawFrame | null): number | undefined {
  return frame !== null && frame.opcode === CloseMessage ? frame.payload.readUInt16BE(0) : undefined
}

async function rawPair(t: Teardown, opts: Parameters<typeof startServer>[2] = {}): Promise<[Conn, RawClient]> {
  const srv = await startServer(t, () => {}, opts)
  const client = await RawClient.connect(t, srv.port)
  return [srv.conns[0] as Conn, client]
}

t.test('setReadLimit: a larger message closes with 1009 and fails the read with ErrReadLimit', async (t) => {
  const { server, client } = await pair(t)
  server.setReadLimit(1000)
  client.send(Buffer.alloc(1000))
  client.send(Buffer.alloc(1001))
  const [type, data] = await server.readMessage()
  t.equal(type, BinaryMessage)
  t.equal(data.length, 1000, 'a message at the limit is fine')
  const err = await server.readMessage().catch((e: unknown) => e)
  t.equal(err, ErrReadLimit)
  t.equal((err as Error).message, 'websocket: read limit exceeded')
  const [code] = (await once(client, 'close')) as [number]
  t.equal(code, 1009)
})

t.test('the read limit applies to fragmented messages as a whole', async (t) => {
  const [server, raw] = await rawPair(t)
  server.setReadLimit(100)
  raw.send(clientFrame(TextMessage, 'a'.repeat(60), { fin: false }))
  raw.send(clientFrame(0, 'b'.repeat(60)))
  await t.rejects(server.readMessage(), ErrReadLimit)
  t.equal(closeCode(await raw.readFrame()), 1009)
  await raw.closed()
})

t.test('the read limit can be given at creation and applies to inflated size', async (t) => {
  const { server, client } = await pair(t, {
    compression: true,
    conn: { readLimit: 10_000 },
    client: { perMessageDeflate: { threshold: 0 } },
  })
  // 100 kB of zeros deflates to a few hundred bytes: only the inflated size can trip the limit.
  client.send(Buffer.alloc(100_000))
  await t.rejects(server.readMessage(), ErrReadLimit)
  const [code] = (await once(client, 'close')) as [number]
  t.equal(code, 1009)
})

t.test('invalid UTF-8 in a text message closes with 1007', async (t) => {
  const [server, raw] = await rawPair(t)
  raw.send(clientFrame(TextMessage, 'ok'))
  raw.send(clientFrame(TextMessage, Buffer.from([0x61, 0xff, 0xfe])))
  t.same(await server.readMessage(), [TextMessage, Buffer.from('ok')])
  await t.rejects(server.readMessage(), {
    code: WsCompatErrorCode.INVALID_UTF8,
    message: 'websocket: invalid UTF-8 sequence',
  })
  t.equal(closeCode(await raw.readFrame()), 1007)
  await raw.closed()
  t.pass('the server closed the TCP connection')
})

t.test('invalid UTF-8 in a close reason closes with 1007', async (t) => {
  const [server, raw] = await rawPair(t)
  raw.send(clientFrame(CloseMessage, Buffer.from([0x03, 0xe8, 0xc3, 0x28])))
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.INVALID_UTF8 })
  t.equal(closeCode(await raw.readFrame()), 1007)
})

t.test('protocol errors close with 1002 and a reason', async (t) => {
  const cases: Array<[string, Buffer, string]> = [
    ['an unmasked client frame', clientFrame(TextMessage, 'x', { mask: false }), 'MASK must be set'],
    ['a reserved opcode', clientFrame(3, 'x'), 'invalid opcode 3'],
    ['a continuation with nothing to continue', clientFrame(0, 'x'), 'invalid opcode 0'],
    ['RSV1 without compression', clientFrame(TextMessage, 'x', { rsv1: true }), 'RSV1 must be clear'],
    ['a fragmented ping', clientFrame(9, 'x', { fin: false }), 'FIN must be set'],
    ['an invalid close code', clientFrame(CloseMessage, Buffer.from([0x03, 0xec])), 'invalid status code 1004'],
  ]
  for (const [name, bytes, detail] of cases) {
    await t.test(name, async (t) => {
      const [server, raw] = await rawPair(t)
      raw.send(bytes)
      await t.rejects(server.readMessage(), { code: WsCompatErrorCode.PROTOCOL, message: `websocket: ${detail}` })
      const frame = await raw.readFrame()
      t.equal(closeCode(frame), 1002)
      t.equal(frame?.payload.subarray(2).toString(), detail)
      await raw.closed()
    })
  }
})

t.test('a slow reader: the queue is bounded, the socket is paused, and nothing is lost', async (t) => {
  const maxQueuedBytes = 256 * 1024
  const { server, client, socket } = await pair(t, { conn: { maxQueuedBytes } })
  const chunk = 64 * 1024
  const total = 1000 // 64 MB offered, far beyond socket buffers plus the queue
  let sent = 0
  let stalled = false
  // Send one message at a time, waiting until the kernel took it; a send that does not complete within
  // half a second means the server stopped reading.
  const sendNext = (): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 500)
      const body = Buffer.alloc(chunk, sent & 0xff)
      body.writeUInt32BE(sent, 0)
      client.send(body, () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  while (sent < total) {
    const ok = await sendNext()
    sent++
    if (!ok) {
      stalled = true
      break
    }
  }
  t.ok(stalled, `the client was held back after ${sent} messages`)
  const bytesRead = (socket as unknown as { bytesRead: number }).bytesRead
  t.ok(bytesRead < 24 * 1024 * 1024, `the server pulled only ${bytesRead} bytes off the socket`)
  // Now read everything, while the client sends the rest.
  const sending = (async () => {
    for (let i = sent; i < total; i++) {
      const body = Buffer.alloc(chunk, i & 0xff)
      body.writeUInt32BE(i, 0)
      await new Promise<void>((resolve) => client.send(body, () => resolve()))
    }
  })()
  for (let i = 0; i < total; i++) {
    const [type, data] = await server.readMessage()
    if (type !== BinaryMessage || data.length !== chunk || data.readUInt32BE(0) !== i) {
      t.fail(`message ${i} is wrong`)
      return
    }
  }
  await sending
  t.pass(`all ${total} messages arrived in order`)
})

t.test('many tiny messages are bounded too', async (t) => {
  const { server, client, socket } = await pair(t, { conn: { maxQueuedBytes: 64 * 1024 } })
  const ws = client as WebSocket
  for (let i = 0; i < 200_000; i++) ws.send('')
  await sleep(300)
  const bytesRead = (socket as unknown as { bytesRead: number }).bytesRead
  t.ok(bytesRead < 200_000 * 6, `only ${bytesRead} of ${200_000 * 6} bytes were read while nobody reads`)
  for (let i = 0; i < 200_000; i++) await server.readMessage()
  t.pass('every empty message arrived')
})

t.test('messages survive the peer closing while the server is paused', async (t) => {
  const { server, client } = await pair(t, { conn: { maxQueuedBytes: 64 * 1024 } })
  const count = 100
  for (let i = 0; i < count; i++) client.send(Buffer.alloc(64 * 1024, i))
  client.close(CloseNormalClosure, 'all sent')
  await sleep(200)
  for (let i = 0; i < count; i++) {
    const [, data] = await server.readMessage()
    if (data[0] !== i) {
      t.fail(`message ${i} is wrong`)
      return
    }
  }
  await t.rejects(server.readMessage(), { code: CloseNormalClosure, text: 'all sent' })
})

t.test('reading a failed connection in a tight loop does not starve the event loop', async (t) => {
  const { server, client } = await pair(t)
  client.terminate()
  await t.rejects(server.readMessage(), { code: 1006 })
  let timerFired = false
  setTimeout(() => {
    timerFired = true
  }, 0)
  let reads = 0
  while (!timerFired) {
    await server.readMessage().catch(() => {})
    reads++
  }
  t.ok(reads > 1000, `the timer fired after ${reads} failed reads`)
})
