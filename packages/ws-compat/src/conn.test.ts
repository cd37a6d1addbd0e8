import t from 'tap'
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
} from './constants.js'
import { ErrCloseSent, WsCompatError, WsCompatErrorCode } from './errors.js'
import type { Message } from './read-queue.js'
import { nextMessage, pair } from './test-util/ws-server.js'

t.test('messages sent before the first read are kept, in order', async (t) => {
  const { server, client } = await pair(t)
  client.send('one')
  client.send(Buffer.from('two'))
  client.send('three')
  // An asynchronous step (think: auth) between the upgrade and the first read.
  await sleep(50)
  t.same(await server.readMessage(), [TextMessage, Buffer.from('one')])
  t.same(await server.readMessage(), [BinaryMessage, Buffer.from('two')])
  t.same(await server.readMessage(), [TextMessage, Buffer.from('three')])
})

t.test('writeMessage sends strings as text and bytes as given', async (t) => {
  const { server, client } = await pair(t)
  await server.writeMessage(TextMessage, 'héllo')
  t.same(await nextMessage(client), [Buffer.from('héllo'), false])
  await server.writeMessage(BinaryMessage, new Uint8Array([1, 2, 3]))
  t.same(await nextMessage(client), [Buffer.from([1, 2, 3]), true])
  await server.writeMessage(BinaryMessage, new Uint8Array([9, 8]).buffer)
  t.same(await nextMessage(client), [Buffer.from([9, 8]), true])
})

t.test('concurrent writeMessage calls are all delivered, in call order', async (t) => {
  const { server, client } = await pair(t)
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
    Array.from({ length: count }, (_, i) => String(i).padStart(12, '0')),
  )
})

t.test('a 16 MB message goes through both ways', async (t) => {
  const { server, client } = await pair(t)
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

t.test('the default ping handler answers with a pong of the same data, without a read', async (t) => {
  const { client } = await pair(t)
  client.ping(Buffer.from([0xff, 0x00, 0x61]))
  const [data] = (await once(client, 'pong')) as [Buffer]
  t.same([...data], [0xff, 0x00, 0x61])
})

t.test('a custom ping handler replaces the pong; null restores the default', async (t) => {
  const { server, client } = await pair(t)
  const seen: string[] = []
  server.setPingHandler((appData) => {
    seen.push(appData)
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

t.test('the pong handler receives the application data; the default does nothing', async (t) => {
  const { server } = await pair(t)
  t.equal(server.pongHandler()('x'), undefined)
  const got = new Promise<string>((resolve) => server.setPongHandler(resolve))
  await server.writeControl(PingMessage, 'are you there', Date.now() + 1000)
  t.equal(await got, 'are you there')
})

t.test('a handler that throws fails the reads with its error', async (t) => {
  const { server, client } = await pair(t)
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

t.test('a rejected promise from a handler fails the reads too', async (t) => {
  const { server, client } = await pair(t)
  server.setPongHandler(() => Promise.reject(new Error('async boom')))
  client.pong('x')
  await t.rejects(server.readMessage(), { message: 'async boom' })
})

t.test('a close frame: the default handler echoes the code, reads reject with CloseError', async (t) => {
  const { server, client, socket } = await pair(t)
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

t.test('a close frame is handled when the reader reaches it: earlier messages can still be answered', async (t) => {
  const { server, client } = await pair(t)
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

t.test('a close frame without a status reports 1005 and is answered with an empty close', async (t) => {
  const { server, client } = await pair(t)
  client.close()
  await t.rejects(server.readMessage(), { code: 1005, message: 'websocket: close 1005 (no status)' })
  const [code] = (await once(client, 'close')) as [number]
  t.equal(code, 1005)
})

t.test('a custom close handler decides the answer', async (t) => {
  const { server, client } = await pair(t)
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

t.test('a close handler that throws replaces the CloseError', async (t) => {
  const { server, client } = await pair(t)
  server.setCloseHandler(() => {
    throw new Error('handler failed')
  })
  client.close(1000)
  await t.rejects(server.readMessage(), { message: 'handler failed' })
})

t.test('the server starts the close: writes after it fail with ErrCloseSent', async (t) => {
  const { server, client } = await pair(t)
  await server.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, 'done'))
  const [code, reason] = (await once(client, 'close')) as [number, Buffer]
  t.equal(code, CloseNormalClosure)
  t.equal(reason.toString(), 'done')
  await t.rejects(server.writeMessage(TextMessage, 'x'), ErrCloseSent)
  await t.rejects(server.writeControl(PingMessage, ''), ErrCloseSent)
  await t.rejects(server.readMessage(), { code: CloseNormalClosure, message: 'websocket: close 1000 (normal): done' })
})

t.test('close() closes the socket without a close frame, idempotently', async (t) => {
  const { server, client } = await pair(t)
  const pendingRead = server.readMessage()
  server.close()
  server.close()
  await t.rejects(pendingRead, { code: WsCompatErrorCode.CONN_CLOSED, message: 'websocket: use of closed network connection' })
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.CONN_CLOSED })
  await t.rejects(server.writeMessage(TextMessage, 'x'), { code: WsCompatErrorCode.CONN_CLOSED })
  const [code] = (await once(client, 'close')) as [number]
  t.equal(code, 1006, 'the client saw no close frame')
})

t.test('a peer that vanishes gives CloseError 1006 "unexpected EOF" after the queued messages', async (t) => {
  const { server, client } = await pair(t)
  client.send('queued')
  await sleep(20)
  client.terminate()
  t.same(await server.readMessage(), [TextMessage, Buffer.from('queued')])
  const err = await server.readMessage().catch((e: unknown) => e)
  t.ok(err instanceof CloseError)
  t.equal((err as Error).message, 'websocket: close 1006 (abnormal closure): unexpected EOF')
  await t.rejects(server.writeMessage(TextMessage, 'x'), WsCompatError)
})

t.test('for await iterates until a normal close', async (t) => {
  const { server, client } = await pair(t)
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

t.test('for await throws on an abnormal end', async (t) => {
  const { server, client } = await pair(t)
  client.send('a')
  await sleep(20)
  client.terminate()
  const got: Message[] = []
  await t.rejects(
    (async () => {
      for await (const message of server) got.push(message)
    })(),
    { code: 1006 },
  )
  t.equal(got.length, 1)
})

t.test('nextReader returns the message as a stream', async (t) => {
  const { server, client } = await pair(t)
  client.send('streamed')
  const [type, reader] = await server.nextReader()
  t.equal(type, TextMessage)
  t.equal(await text(reader), 'streamed')
})

t.test('readJSON and writeJSON', async (t) => {
  const { server, client } = await pair(t)
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

t.test('bad message types and oversized control frames are refused', async (t) => {
  const { server } = await pair(t)
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

t.test('ping and pong can be sent with writeMessage too', async (t) => {
  const { server, client } = await pair(t)
  await server.writeMessage(PingMessage, 'p')
  const [data] = (await once(client, 'ping')) as [Buffer]
  t.equal(data.toString(), 'p')
})
