/**
 * The Conn API over every upgrader (see @hertz-node/test-kit/matrix): early messages, writes and their order, a
 * 16 MB message, ping/pong/close handlers and their defaults, close(), iteration, JSON.
 */
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { text } from 'node:stream/consumers'
import { CloseError, formatCloseMessage } from './close-error.js'
import {
  BinaryMessage,
  CloseGoingAway,
  CloseMessage,
  CloseNormalClosure,
  PingMessage,
  PongMessage,
  TextMessage,
} from '../constants.js'
import { ErrCloseSent, WsCompatError, WsCompatErrorCode } from '../errors.js'
import type { Message } from './read-queue.js'
import { describeMatrix } from '@hertz-node/test-kit/matrix'
import { nextMessage, pair } from '@hertz-node/test-kit/pair'

describeMatrix('messages sent before the first read are kept, in order', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  client.send('one')
  client.send(Buffer.from('two'))
  client.send('three')
  // An asynchronous step (think: auth) between the upgrade and the first read.
  await sleep(50)
  t.same(await server.readMessage(), [TextMessage, Buffer.from('one')])
  t.same(await server.readMessage(), [BinaryMessage, Buffer.from('two')])
  t.same(await server.readMessage(), [TextMessage, Buffer.from('three')])
})

describeMatrix('writeMessage sends strings as text and bytes as given', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  await server.writeMessage(TextMessage, 'héllo')
  t.same(await nextMessage(client), [Buffer.from('héllo'), false])
  await server.writeMessage(BinaryMessage, new Uint8Array([1, 2, 3]))
  t.same(await nextMessage(client), [Buffer.from([1, 2, 3]), true])
  await server.writeMessage(BinaryMessage, new Uint8Array([9, 8]).buffer)
  t.same(await nextMessage(client), [Buffer.from([9, 8]), true])
})

describeMatrix('concurrent writeMessage calls are all delivered, in call order', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  const count = 500
  const received: string[] = []
  const all = new Promise<void>((resolve) => {
    client.on('message', (data: Buffer) => {
      received.push(data.toString().slice(0, 12))
      if (received.length === count) resolve()
    })
  })
  const writes: Array<Promise<void>> = []
  for (let i = 0; i < count; i++) {
    // Mixed sizes so that some writes queue behind a full socket buffer.
    const body = `${String(i).padStart(12, '0')}${'x'.repeat(i % 7 === 0 ? 200_000 : 10)}`
    writes.push(server.writeMessage(TextMessage, body))
  }
  await Promise.all(writes)
  await all
  t.same(
    received,
    Array.from({ length: count }, (_, i) => String(i).padStart(12, '0'))
  )
})

describeMatrix('a 16 MB message goes through both ways', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  const big = Buffer.alloc(16 * 1024 * 1024)
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff
  client.send(big)
  const [type, data] = await server.readMessage()
  t.equal(type, BinaryMessage)
  t.ok(data.equals(big), 'server got the exact bytes')
  await server.writeMessage(BinaryMessage, data)
  const [echoed] = await nextMessage(client)
  t.ok(echoed.equals(big), 'client got the exact bytes back')
})

describeMatrix('the default ping handler answers with a pong of the same data, without a read', async (t, kind) => {
  const { client } = await pair(t, kind)
  client.ping(Buffer.from([0xff, 0x00, 0x61]))
  const [data] = (await once(client, 'pong')) as [Buffer]
  t.same([...data], [0xff, 0x00, 0x61])
})

describeMatrix('a custom ping handler replaces the pong; null restores the default', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  const seen: string[] = []
  server.setPingHandler((appData) => {
    seen.push(appData.toString())
    return server.writeControl(PongMessage, `custom:${appData}`, Date.now() + 1000)
  })
  client.ping('a')
  const [first] = (await once(client, 'pong')) as [Buffer]
  t.equal(first.toString(), 'custom:a')
  t.same(seen, ['a'])
  server.setPingHandler(null)
  client.ping('b')
  const [second] = (await once(client, 'pong')) as [Buffer]
  t.equal(second.toString(), 'b')
  t.type(server.pingHandler(), 'function')
})

describeMatrix('the pong handler receives the application data; the default does nothing', async (t, kind) => {
  const { server } = await pair(t, kind)
  t.equal(server.pongHandler()(Buffer.from('x')), undefined)
  const got = new Promise<Buffer>((resolve) => server.setPongHandler(resolve))
  await server.writeControl(PingMessage, 'are you there', Date.now() + 1000)
  t.equal((await got).toString(), 'are you there')
})

describeMatrix('a handler that throws fails the reads with its error', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  const boom = new Error('boom')
  server.setPingHandler(() => {
    throw boom
  })
  client.send('before')
  client.ping()
  t.same(await server.readMessage(), [TextMessage, Buffer.from('before')])
  await t.rejects(server.readMessage(), boom)
  await t.rejects(server.readMessage(), boom, 'the error is permanent')
})

describeMatrix('a rejected promise from a handler fails the reads too', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  server.setPongHandler(() => Promise.reject(new Error('async boom')))
  client.pong('x')
  await t.rejects(server.readMessage(), { message: 'async boom' })
})

describeMatrix('a close frame: the default handler echoes the code, reads reject with CloseError', async (t, kind) => {
  const { server, client, socket } = await pair(t, kind)
  client.send('last words')
  client.close(4000, 'bye')
  t.same(await server.readMessage(), [TextMessage, Buffer.from('last words')])
  const err = await server.readMessage().catch((e: unknown) => e)
  t.ok(err instanceof CloseError)
  t.equal((err as CloseError).code, 4000)
  t.equal((err as CloseError).text, 'bye')
  t.equal((err as CloseError).message, 'websocket: close 4000: bye')
  const [code, reason] = (await once(client, 'close')) as [number, Buffer]
  t.equal(code, 4000, 'the code is echoed')
  t.equal(reason.toString(), '', 'gorilla echoes the code without the text')
  if (!socket.destroyed) await once(socket, 'close')
  t.pass('the TCP connection is closed after both close frames')
  await t.rejects(server.writeMessage(TextMessage, 'late'), ErrCloseSent)
})

describeMatrix('a close frame is handled when the reader reaches it: earlier messages can still be answered', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  const received: string[] = []
  client.on('message', (data: Buffer) => received.push(data.toString()))
  client.send('question')
  client.close(CloseNormalClosure)
  await sleep(30)
  const [, question] = await server.readMessage()
  await server.writeMessage(TextMessage, `answer to ${question.toString()}`)
  await t.rejects(server.readMessage(), { code: CloseNormalClosure })
  const [code] = (await once(client, 'close')) as [number]
  t.equal(code, CloseNormalClosure)
  t.same(received, ['answer to question'])
})

describeMatrix('a close frame without a status reports 1005 and is answered with an empty close', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  client.close()
  await t.rejects(server.readMessage(), { code: 1005, message: 'websocket: close 1005 (no status)' })
  const [code] = (await once(client, 'close')) as [number]
  t.equal(code, 1005)
})

describeMatrix('a custom close handler decides the answer', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  const seen: Array<[number, string]> = []
  server.setCloseHandler((code, text) => {
    seen.push([code, text])
    return server.writeControl(CloseMessage, formatCloseMessage(CloseGoingAway, 'custom'), Date.now() + 1000)
  })
  client.close(1000, 'done')
  await t.rejects(server.readMessage(), { code: 1000, text: 'done' })
  const [code, reason] = (await once(client, 'close')) as [number, Buffer]
  t.same(seen, [[1000, 'done']])
  t.equal(code, CloseGoingAway)
  t.equal(reason.toString(), 'custom')
  t.type(server.closeHandler(), 'function')
})

describeMatrix('a close handler that throws replaces the CloseError', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  server.setCloseHandler(() => {
    throw new Error('handler failed')
  })
  client.close(1000)
  await t.rejects(server.readMessage(), { message: 'handler failed' })
})

describeMatrix('the server starts the close: writes after it fail with ErrCloseSent', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  await server.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, 'done'))
  const [code, reason] = (await once(client, 'close')) as [number, Buffer]
  t.equal(code, CloseNormalClosure)
  t.equal(reason.toString(), 'done')
  await t.rejects(server.writeMessage(TextMessage, 'x'), ErrCloseSent)
  await t.rejects(server.writeControl(PingMessage, ''), ErrCloseSent)
  await t.rejects(server.readMessage(), { code: CloseNormalClosure, message: 'websocket: close 1000 (normal): done' })
})

describeMatrix('close() closes the socket without a close frame, idempotently', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  const pendingRead = server.readMessage()
  server.close()
  server.close()
  await t.rejects(pendingRead, { code: WsCompatErrorCode.CONN_CLOSED, message: 'websocket: use of closed network connection' })
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.CONN_CLOSED })
  await t.rejects(server.writeMessage(TextMessage, 'x'), { code: WsCompatErrorCode.CONN_CLOSED })
  const [code] = (await once(client, 'close')) as [number]
  t.equal(code, 1006, 'the client saw no close frame')
})

describeMatrix('a peer that vanishes gives CloseError 1006 "unexpected EOF" after the queued messages', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  client.send('queued')
  await sleep(20)
  client.terminate()
  t.same(await server.readMessage(), [TextMessage, Buffer.from('queued')])
  const err = await server.readMessage().catch((e: unknown) => e)
  t.ok(err instanceof CloseError)
  t.equal((err as Error).message, 'websocket: close 1006 (abnormal closure): unexpected EOF')
  await t.rejects(server.writeMessage(TextMessage, 'x'), WsCompatError)
})

describeMatrix('for await iterates until a normal close', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  client.send('a')
  client.send('b')
  client.close(CloseNormalClosure)
  const got: Message[] = []
  for await (const message of server) got.push(message)
  t.same(got, [
    [TextMessage, Buffer.from('a')],
    [TextMessage, Buffer.from('b')],
  ])
})

describeMatrix('for await throws on an abnormal end', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  client.send('a')
  await sleep(20)
  client.terminate()
  const got: Message[] = []
  await t.rejects(
    (async () => {
      for await (const message of server) got.push(message)
    })(),
    { code: 1006 }
  )
  t.equal(got.length, 1)
})

describeMatrix('nextReader returns the message as a stream', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  client.send('streamed')
  const [type, reader] = await server.nextReader()
  t.equal(type, TextMessage)
  t.equal(await text(reader), 'streamed')
})

describeMatrix('readJSON and writeJSON', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  client.send(JSON.stringify({ a: [1, 2] }))
  t.same(await server.readJSON(), { a: [1, 2] })
  await server.writeJSON({ ok: true })
  const [wire] = await nextMessage(client)
  t.equal(wire.toString(), '{"ok":true}\n', 'gorilla encodes with a trailing newline')
  client.send('{broken')
  await t.rejects(server.readJSON(), { code: WsCompatErrorCode.INVALID_JSON })
  client.send('')
  await t.rejects(server.readJSON(), { code: WsCompatErrorCode.INVALID_JSON, message: 'websocket: unexpected EOF' })
  client.send('"still usable"')
  t.equal(await server.readJSON<string>(), 'still usable')
  await t.rejects(server.writeJSON(undefined), { code: WsCompatErrorCode.INVALID_JSON })
  const circular: Record<string, unknown> = {}
  circular['self'] = circular
  await t.rejects(server.writeJSON(circular), { code: WsCompatErrorCode.INVALID_JSON })
  await t.rejects(server.writeJSON(10n), { code: WsCompatErrorCode.INVALID_JSON })
})

describeMatrix('bad message types and oversized control frames are refused', async (t, kind) => {
  const { server } = await pair(t, kind)
  await t.rejects(server.writeMessage(3, 'x'), { code: WsCompatErrorCode.BAD_WRITE_OPCODE })
  await t.rejects(server.writeControl(TextMessage, 'x'), {
    code: WsCompatErrorCode.BAD_WRITE_OPCODE,
    message: 'websocket: bad write message type',
  })
  await t.rejects(server.writeMessage(PingMessage, 'x'.repeat(126)), {
    code: WsCompatErrorCode.INVALID_CONTROL_FRAME,
    message: 'websocket: invalid control frame',
  })
  await t.rejects(server.writeControl(PingMessage, 'x'.repeat(126)), { code: WsCompatErrorCode.INVALID_CONTROL_FRAME })
  await t.rejects(server.nextWriter(0), { code: WsCompatErrorCode.BAD_WRITE_OPCODE })
  t.throws(() => server.setCompressionLevel(10), { code: WsCompatErrorCode.INVALID_COMPRESSION_LEVEL })
  t.throws(() => server.setCompressionLevel(1.5), { code: WsCompatErrorCode.INVALID_COMPRESSION_LEVEL })
  // The connection is still fine after refused writes.
  await server.writeMessage(TextMessage, 'fine')
})

describeMatrix('ping and pong can be sent with writeMessage too', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  await server.writeMessage(PingMessage, 'p')
  const [data] = (await once(client, 'ping')) as [Buffer]
  t.equal(data.toString(), 'p')
})

describeMatrix('the peer\'s close reaches the read as a CloseError without a stack (it is an event, not a call site)', async (t, kind) => {
  const { server, client } = await pair(t, kind)
  client.close(CloseGoingAway, 'bye')
  const err = await server.readMessage().then(() => null, (e: unknown) => e)
  t.ok(err instanceof CloseError, 'a CloseError')
  const close = err as CloseError
  t.equal(close.code, CloseGoingAway)
  t.equal(close.text, 'bye')
  t.equal(close.stack, 'CloseError: websocket: close 1001 (going away): bye', 'the stack is the message alone')
  t.ok(Error.stackTraceLimit > 0, 'the process keeps its stack trace limit')
})
