/**
 * The bounded receive queue: a reader slower than its peer pauses the socket instead of buffering without
 * limit, and loses nothing. Over every upgrader with the default queue (1 MiB), and `newServerConn`'s own
 * `maxQueuedBytes`.
 */
import t from 'tap'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type WebSocket from 'ws'
import { BinaryMessage, CloseNormalClosure } from '../constants.js'
import { describeMatrix } from '@hertz-node/test-kit/matrix'
import { pair } from '@hertz-node/test-kit/pair'

describeMatrix('a slow reader: the queue is bounded, the socket is paused, and nothing is lost', async (t, kind) => {
  const { server, client, socket } = await pair(t, kind)
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

/** 200 000 empty messages while nobody reads: the server must stop reading the socket, then lose none of them. */
async function floodOfEmptyMessages (
  t: Parameters<Parameters<typeof describeMatrix>[1]>[0],
  p: { server: { readMessage(): Promise<unknown> }, client: unknown, socket: unknown }
): Promise<void> {
  const ws = p.client as WebSocket
  for (let i = 0; i < 200_000; i++) ws.send('')
  await sleep(300)
  const bytesRead = (p.socket as { bytesRead: number }).bytesRead
  t.ok(bytesRead < 200_000 * 6, `only ${bytesRead} of ${200_000 * 6} bytes were read while nobody reads`)
  for (let i = 0; i < 200_000; i++) await p.server.readMessage()
  t.pass('every empty message arrived')
}

describeMatrix('many tiny messages are bounded too', async (t, kind) => {
  await floodOfEmptyMessages(t, await pair(t, kind))
})

t.test('maxQueuedBytes given to newServerConn bounds many tiny messages', async (t) => {
  await floodOfEmptyMessages(t, await pair(t, 'server-conn-on-node-http', { conn: { maxQueuedBytes: 64 * 1024 } }))
})

describeMatrix('messages survive the peer closing while the server is paused', async (t, kind) => {
  const { server, client } = await pair(t, kind)
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

describeMatrix('writes wait while the peer does not read, then complete in order once it does', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  // A small write on an idle socket is taken by the kernel at once.
  const first = once(client, 'message')
  await server.writeMessage(BinaryMessage, Buffer.alloc(4))
  await first
  const received: number[] = []
  client.on('message', (data: Buffer) => { received.push(data.readUInt32BE(0)) })
  ;(client as unknown as { _socket: { pause(): void, resume(): void } })._socket.pause()
  const settled: number[] = []
  const writes: Array<Promise<void>> = []
  let waiting = -1
  for (let i = 0; i < 200 && waiting < 0; i++) {
    const body = Buffer.alloc(256 * 1024)
    body.writeUInt32BE(i, 0)
    const w = server.writeMessage(BinaryMessage, body).then(() => { settled.push(i) })
    writes.push(w)
    // Let a write that completed at once settle before judging the next one.
    await sleep(0)
    if (!settled.includes(i)) waiting = i
  }
  t.ok(waiting >= 0, `a write waited once the socket buffers were full (write ${waiting})`)
  await sleep(100)
  t.notOk(settled.includes(waiting), 'it is still waiting while the peer reads nothing')
  ;(client as unknown as { _socket: { resume(): void } })._socket.resume()
  await Promise.all(writes)
  t.same(settled, [...settled].sort((a, b) => a - b), 'writes settled in the order they were made')
  for (let i = 0; i < 50 && received.length < writes.length; i++) await sleep(20)
  t.same(received, writes.map((_, i) => i), 'every message reached the peer, in order')
})
