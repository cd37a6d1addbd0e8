import t, { type Test } from 'tap'
import { createServer, connect, type Socket } from 'node:net'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { lingeringClose } from '../index.js'

/**
 * A connected pair over 127.0.0.1: the server's end and the client's, which does not end its side when the server
 * ends its own (a peer still sending); both destroyed at teardown.
 */
async function pair (t: Test): Promise<{ server: Socket, client: Socket }> {
  const srv = createServer()
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const accepted = once(srv, 'connection')
  const client = connect({ port: (srv.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true })
  const [server] = await accepted as [Socket]
  await once(client, 'connect')
  t.teardown(() => {
    client.destroy()
    server.destroy()
    srv.close()
  })
  return { server, client }
}

/** Timers that hold the process open: a waiting deadline does, a cancelled one must not. */
function refTimers (): number {
  return process.getActiveResourcesInfo().filter(r => r === 'Timeout').length
}

t.test('the pending writes go out before the FIN, the peer keeps sending without a reset, and its close ends the wait', async t => {
  const { server, client } = await pair(t)
  const before = refTimers()
  const payload = Buffer.alloc(512 * 1024, 7)
  server.write(payload)
  lingeringClose(server, { lingerMs: 60_000 })

  let received = 0
  client.on('data', (chunk: Buffer) => { received += chunk.length })
  const clientErrors: Error[] = []
  client.on('error', err => { clientErrors.push(err) })
  await once(client, 'end')
  t.equal(received, payload.length, 'every byte written before the close arrived, then the FIN')
  t.equal(refTimers(), before + 1, 'the deadline waits once the writes are out')

  // The peer has not read the FIN's meaning yet and sends on: the server reads and drops it instead of an RST.
  for (let i = 0; i < 8; i++) client.write(Buffer.alloc(64 * 1024, i))
  await new Promise<void>(resolve => { client.write('', () => { resolve() }) })
  t.equal(server.destroyed, false, 'the server still lingers')

  const serverClosed = once(server, 'close')
  const clientClosed = once(client, 'close')
  client.end()
  const [hadError] = await serverClosed as [boolean]
  t.equal(hadError, false, 'the server end closed cleanly once the peer closed')
  await clientClosed
  t.same(clientErrors, [], 'the peer never saw a reset')
  t.equal(refTimers(), before, 'the peer closed in time: the deadline no longer holds the process')
})

/** A pair whose client reads and drops everything and never closes, the server's end lingering for 150 ms. */
async function lingering150 (t: Test): Promise<{ server: Socket, client: Socket, start: number }> {
  const { server, client } = await pair(t)
  client.on('error', () => {})
  client.resume()
  const start = performance.now()
  lingeringClose(server, { lingerMs: 150 })
  return { server, client, start }
}

const counted = ['finish', 'close', 'data']

t.test('a peer that never closes is cut at the deadline, counted from when the writes are out', async t => {
  const { server, client, start } = await lingering150(t)
  const [hadError] = await once(server, 'close') as [boolean]
  t.equal(hadError, false, 'destroyed without an error')
  t.ok(performance.now() - start >= 140, 'not before the linger time')
  t.equal(client.readableEnded, true, 'the peer got the FIN first')
})

t.test('a second call on a lingering socket, and a call on a destroyed one, change nothing', async t => {
  const { server, start } = await lingering150(t)
  const listeners = counted.map(e => server.listenerCount(e))
  lingeringClose(server, { lingerMs: 60_000 })
  t.same(counted.map(e => server.listenerCount(e)), listeners, 'no second set of listeners')
  await once(server, 'close')
  t.ok(performance.now() - start < 30_000, 'the first call\'s 150 ms deadline applies, not the second\'s 60 s')

  const other = await pair(t)
  other.server.destroy()
  const counts = counted.map(e => other.server.listenerCount(e))
  lingeringClose(other.server)
  t.same(counted.map(e => other.server.listenerCount(e)), counts, 'a destroyed socket gets no listeners')
  t.equal(other.server.writableEnded, false, 'nor an end')
})
