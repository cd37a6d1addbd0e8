/**
 * The bounded write queue: unawaited writes to a peer that does not read are refused past
 * `maxWriteQueueBytes` with `WS_COMPAT_ERR_WRITE_QUEUE_FULL` instead of queueing without limit; what was
 * accepted still arrives, in order, and the connection stays usable. On every upgrader and the `Dialer`.
 */
import t from 'tap'
import { once } from 'node:events'
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type WebSocket from 'ws'
import { formatCloseMessage } from './close-error.js'
import { BinaryMessage, CloseMessage, CloseNormalClosure, PingMessage, defaultMaxWriteQueueBytes } from '../constants.js'
import type { Conn } from './conn.js'
import { Dialer } from '../handshake/dialer.js'
import { WsCompatErrorCode } from '../errors.js'
import { describeMatrix } from '@hertz-node/test-kit/matrix'
import { pair } from '@hertz-node/test-kit/pair'
import { rawWsServer } from '@hertz-node/test-kit/raw-server'

const queueFull = { code: WsCompatErrorCode.WRITE_QUEUE_FULL, message: 'websocket: write queue full' }

/** The `ws` client's socket, to stop and resume reading. */
function clientSocket (client: WebSocket): Socket {
  return (client as unknown as { _socket: Socket })._socket
}

/** Makes `count` unawaited 64 KiB writes numbered from `first`; returns how each settled (after a turn). */
async function unawaitedWrites (conn: Conn, count: number, first = 0): Promise<{ writes: Array<Promise<void>>, refused: Array<{ i: number, err: unknown }> }> {
  const writes: Array<Promise<void>> = []
  const refused: Array<{ i: number, err: unknown }> = []
  for (let i = first; i < first + count; i++) {
    const body = Buffer.alloc(64 * 1024)
    body.writeUInt32BE(i, 0)
    const w = conn.writeMessage(BinaryMessage, body)
    w.catch((err: unknown) => { refused.push({ i, err }) })
    writes.push(w)
  }
  await sleep(50)
  return { writes, refused }
}

t.test('the default write queue bound is 16 MiB', async (t) => {
  t.equal(defaultMaxWriteQueueBytes, 16 * 1024 * 1024)
  t.equal(new Dialer().maxWriteQueueBytes, defaultMaxWriteQueueBytes)
})

describeMatrix('unawaited writes to a peer that does not read are refused past the bound; the rest arrive', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  const received: number[] = []
  client.on('message', (data: Buffer) => { received.push(data.readUInt32BE(0)) })
  clientSocket(client).pause()
  const count = 600 // 37.5 MiB, far past the 16 MiB bound plus what the kernel takes
  const { writes, refused } = await unawaitedWrites(server, count)
  t.ok(refused.length > 0, `${refused.length} of ${count} writes were refused`)
  t.ok(refused.every(({ err }) => (err as { code?: unknown }).code === queueFull.code), 'every refusal is WS_COMPAT_ERR_WRITE_QUEUE_FULL')
  t.match(refused[0]?.err, queueFull)
  const accepted = refused[0]?.i ?? count
  t.same(refused.map(({ i }) => i), writes.slice(accepted).map((_, j) => accepted + j), 'once full, every later write was refused')
  const acceptedBytes = accepted * 64 * 1024
  t.ok(acceptedBytes >= defaultMaxWriteQueueBytes - 2 * 64 * 1024, `the queue took ${acceptedBytes} bytes, up to its bound`)
  // The bound counts what the kernel has not taken: loopback socket buffers add a few MiB at most.
  t.ok(acceptedBytes <= defaultMaxWriteQueueBytes + 32 * 1024 * 1024, `and not much more (${acceptedBytes})`)

  clientSocket(client).resume()
  await Promise.all(writes.slice(0, accepted))
  for (let i = 0; i < 200 && received.length < accepted; i++) await sleep(10)
  t.same(received, writes.slice(0, accepted).map((_, i) => i), 'every accepted message arrived, in order')
  await server.writeMessage(BinaryMessage, Buffer.alloc(4, 0xff))
  t.pass('once the peer read, the connection takes writes again')
})

describeMatrix('an empty queue takes one larger message; close frames always go', async (t, kind) => {
  const limit = 64 * 1024
  const { server, client } = await pair(t, kind, { limits: { maxWriteQueueBytes: limit } })
  const received: number[] = []
  client.on('message', (data: Buffer) => { received.push(data.length) })
  clientSocket(client).pause()
  // More than loopback socket buffers take, so that most of it stays queued.
  const big = server.writeMessage(BinaryMessage, Buffer.alloc(32 * 1024 * 1024))
  await t.rejects(server.writeMessage(BinaryMessage, Buffer.alloc(10)), queueFull)
  await t.rejects(server.writeControl(PingMessage, 'ping', null), queueFull, 'a ping counts against the bound too')
  const closing = server.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, 'bye'))
  const closed = once(client, 'close')
  clientSocket(client).resume()
  await big
  await closing
  const [code, reason] = (await closed) as [number, Buffer]
  t.same(received, [32 * 1024 * 1024], 'the large message arrived')
  t.equal(code, CloseNormalClosure, 'then the close frame')
  t.equal(reason.toString(), 'bye')
})

describeMatrix('maxWriteQueueBytes: 0 removes the bound', async (t, kind) => {
  const { server, client } = await pair(t, kind, { limits: { maxWriteQueueBytes: 0 } })
  clientSocket(client).pause()
  const { writes, refused } = await unawaitedWrites(server, 400)
  t.equal(refused.length, 0, 'nothing was refused')
  clientSocket(client).resume()
  await Promise.all(writes)
  t.pass('every write completed once the peer read')
})

t.test('Dialer conns bound their write queue too, with the Dialer\'s field', async (t) => {
  const { url } = await rawWsServer(t, () => {}, false) // never reads
  const [conn] = await new Dialer({ maxWriteQueueBytes: 1024 * 1024 }).dial(url)
  t.teardown(() => conn.close())
  const { refused } = await unawaitedWrites(conn, 400)
  t.ok(refused.length > 0, `${refused.length} of 400 writes were refused`)
  t.match(refused[0]?.err, queueFull)
})
