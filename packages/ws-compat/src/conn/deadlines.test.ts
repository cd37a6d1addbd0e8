/**
 * Read and write deadlines, and the seed's `netConn()` timeouts, over every upgrader (through
 * `HertzUpgrader` the timeouts are the router's hijacked conn's own).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { BinaryMessage, CloseMessage, CloseNormalClosure, PingMessage, TextMessage } from '../constants.js'
import { formatCloseMessage } from './close-error.js'
import { WsCompatError, WsCompatErrorCode } from '../errors.js'
import type { Conn } from './conn.js'
import { describeMatrix, type UpgraderKind } from '@hertz-node/test-kit/matrix'
import { nextMessage, pair, rawPair } from '@hertz-node/test-kit/pair'
import type { Teardown } from '@hertz-node/test-kit/teardown'

/** A server conn whose peer never reads: the socket's buffers fill up and writes stop completing. */
async function stuckPeer (t: Teardown, kind: UpgraderKind): Promise<Conn> {
  const { server, client } = await rawPair(t, kind)
  client.socket.pause()
  return server
}

/** Writes 1 MB messages until one fails; returns that error. */
async function writeUntilFailure (conn: Conn): Promise<unknown> {
  const body = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < 1000; i++) {
    try {
      await conn.writeMessage(BinaryMessage, body)
    } catch (err) {
      return err
    }
  }
  return undefined
}

describeMatrix('a read still waiting at the read deadline fails, and so does every later read', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  server.setReadDeadline(new Date(Date.now() + 100))
  const err = await server.readMessage().catch((e: unknown) => e)
  t.ok(err instanceof WsCompatError)
  t.equal((err as WsCompatError).code, WsCompatErrorCode.READ_TIMEOUT)
  t.equal((err as WsCompatError).timeout, true)
  client.send('too late')
  await sleep(50)
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.READ_TIMEOUT }, 'the read side stays failed')
  // Writing is still possible, as in gorilla.
  await server.writeMessage(TextMessage, 'still writable')
})

describeMatrix('a read deadline already passed fails the next waiting read at once', async (t, kind) => {
  const { server } = await pair(t, kind)
  server.setReadDeadline(Date.now() - 1)
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.READ_TIMEOUT })
})

describeMatrix('messages already received are returned even past the deadline', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  client.send('early')
  await sleep(30)
  server.setReadDeadline(Date.now() - 1)
  t.same(await server.readMessage(), [TextMessage, Buffer.from('early')])
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.READ_TIMEOUT })
})

describeMatrix('moving or clearing the deadline while a read waits', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  server.setReadDeadline(Date.now() + 50)
  const read = server.readMessage()
  server.setReadDeadline(0)
  setTimeout(() => client.send('after the old deadline'), 150)
  t.same(await read, [TextMessage, Buffer.from('after the old deadline')])
  server.setReadDeadline(Date.now() + 5000)
  const second = server.readMessage()
  server.setReadDeadline(Date.now() + 30)
  await t.rejects(second, { code: WsCompatErrorCode.READ_TIMEOUT })
})

describeMatrix('netConn().setReadTimeout limits each wait, as in the seed', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  server.netConn().setReadTimeout(200)
  for (let i = 0; i < 4; i++) {
    setTimeout(() => client.send(`tick ${i}`), 50)
    t.same(await server.readMessage(), [TextMessage, Buffer.from(`tick ${i}`)], 'a message inside the timeout')
  }
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.READ_TIMEOUT, timeout: true })
})

describeMatrix('netConn().setReadTimeout(0) turns the timeout off', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  server.netConn().setReadTimeout(50)
  server.netConn().setReadTimeout(0)
  setTimeout(() => client.send('slow'), 150)
  t.same(await server.readMessage(), [TextMessage, Buffer.from('slow')])
})

describeMatrix('a write the socket does not take by the write deadline fails, and so does every later write', async (t, kind) => {
  const server = await stuckPeer(t, kind)
  server.setWriteDeadline(Date.now() + 300)
  const err = await writeUntilFailure(server)
  t.ok(err instanceof WsCompatError, 'a write failed')
  t.equal((err as WsCompatError).code, WsCompatErrorCode.WRITE_TIMEOUT)
  t.equal((err as WsCompatError).message, 'websocket: write timeout')
  t.equal((err as WsCompatError).timeout, true)
  await t.rejects(server.writeMessage(TextMessage, 'x'), { code: WsCompatErrorCode.WRITE_TIMEOUT })
})

describeMatrix('a write deadline in the past fails the write at once', async (t, kind) => {
  const { server } = await pair(t, kind)
  server.setWriteDeadline(new Date(Date.now() - 1))
  await t.rejects(server.writeMessage(TextMessage, 'x'), { code: WsCompatErrorCode.WRITE_TIMEOUT })
})

describeMatrix('a cleared write deadline does not fire', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  server.setWriteDeadline(Date.now() - 1)
  server.setWriteDeadline(null)
  await server.writeMessage(TextMessage, 'fine')
  const [data] = await nextMessage(client)
  t.equal(data.toString(), 'fine')
})

describeMatrix('netConn().setWriteTimeout fails a write that stalls', async (t, kind) => {
  const server = await stuckPeer(t, kind)
  server.netConn().setWriteTimeout(200)
  const err = await writeUntilFailure(server)
  t.equal((err as WsCompatError).code, WsCompatErrorCode.WRITE_TIMEOUT)
})

describeMatrix('writeControl: a passed deadline fails without breaking the connection', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  await t.rejects(server.writeControl(PingMessage, 'x', Date.now() - 1), {
    code: WsCompatErrorCode.WRITE_TIMEOUT,
    timeout: true,
  })
  await server.writeControl(PingMessage, 'y', 0)
  await server.writeControl(PingMessage, 'z')
  const pings: string[] = []
  await new Promise<void>((resolve) =>
    client.on('ping', (d: Buffer) => {
      pings.push(d.toString())
      if (pings.length === 2) resolve()
    })
  )
  t.same(pings, ['y', 'z'])
  await server.writeMessage(TextMessage, 'still fine')
})

/** Timers the process has armed and not yet cleared or fired. */
function activeTimers (): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
}

describeMatrix('a write with a deadline the socket takes at once arms no timer, the close frame too', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  const peerClosed = new Promise<number>((resolve) => client.on('close', (code: number) => resolve(code)))
  const before = activeTimers()
  const ping = server.writeControl(PingMessage, 'x', Date.now() + 1000)
  t.equal(activeTimers(), before, 'a ping')
  await ping
  server.setWriteDeadline(new Date(Date.now() + 1000))
  const text = server.writeMessage(TextMessage, 'hello')
  t.equal(activeTimers(), before, 'a data message')
  await text
  server.setWriteDeadline(new Date(0))
  const close = server.writeControl(CloseMessage, formatCloseMessage(CloseNormalClosure, 'bye'), Date.now() + 1000)
  t.equal(activeTimers(), before, 'the close frame')
  await close
  t.equal(await peerClosed, CloseNormalClosure, 'the peer got the close frame')
})

describeMatrix('writeControl to a stuck peer fails at its deadline', async (t, kind) => {
  const server = await stuckPeer(t, kind)
  // Fill the socket first, without a deadline, then a control frame cannot get through.
  const body = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < 64; i++) void server.writeMessage(BinaryMessage, body).catch(() => {})
  await t.rejects(server.writeControl(PingMessage, 'x', Date.now() + 200), { code: WsCompatErrorCode.WRITE_TIMEOUT })
})
