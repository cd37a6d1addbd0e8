/**
 * The chat's hub rules over real sockets, on both paths: messages are trimmed and their newlines become
 * spaces, queued messages are batched into one message joined by newlines, a client whose send buffer (256)
 * is full is dropped with a close frame while the others go on, and an oversized message (maxMessageSize)
 * closes its sender with 1009.
 */
import t from 'tap'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { PATHS, startServer } from '@hertz-node/example-support/spawn-app'
import { Client } from '@hertz-node/example-support/ws-client'

t.setTimeout(180_000)

/** A client that completes the handshake and then reads nothing until told to. */
async function stalledClient (addr: string): Promise<Socket> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))]
  const socket = connect({ host, port })
  socket.on('error', () => {})
  await once(socket, 'connect')
  socket.write(`GET /ws HTTP/1.1\r\nHost: ${addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  let head = Buffer.alloc(0)
  while (!head.includes('\r\n\r\n')) head = Buffer.concat([head, (await once(socket, 'data'))[0] as Buffer])
  socket.pause()
  return socket
}

/** Everything `socket` receives until the server ends it, as the opcodes and text of its (unmasked) frames. */
async function drain (socket: Socket): Promise<Array<[opcode: number, text: string]>> {
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  socket.resume()
  await once(socket, 'close')
  const all = Buffer.concat(chunks)
  const frames: Array<[number, string]> = []
  for (let at = 0; at + 2 <= all.length;) {
    let len = all[at + 1]! & 0x7f
    let off = at + 2
    if (len === 126) { len = all.readUInt16BE(off); off += 2 } else if (len === 127) { len = Number(all.readBigUInt64BE(off)); off += 8 }
    if (off + len > all.length) break
    frames.push([all[at]! & 0x0f, all.subarray(off, off + len).toString()])
    at = off + len
  }
  return frames
}

for (const path of PATHS) {
  t.test(`${path}: lines are cleaned, a full send buffer drops its client, the others go on`, async (t) => {
    const server = await startServer('chat', path)
    t.teardown(() => server.app.kill())
    const fast = await Client.open(`ws://${server.addr}/ws`)
    t.teardown(() => fast.terminate())

    fast.ws.send('  two\nlines \t')
    t.equal(await fast.text(), 'two lines', 'trimmed, newline -> space')

    const slow = await stalledClient(server.addr)
    t.teardown(() => slow.destroy())
    // 500-byte lines until the slow client's socket, then its 256 queued messages, are full.
    const line = 'x'.repeat(499)
    const total = 30_000
    let seen = 0
    let batched = false
    let progressed: (() => void) | null = null
    const all = new Promise<void>((resolve) => {
      fast.ws.on('message', (data: Buffer) => {
        const lines = data.toString().split('\n')
        if (lines.length > 1) batched = true
        seen += lines.length
        progressed?.()
        if (seen >= total) resolve()
      })
    })
    // The fast client has the same 256-message send buffer as the slow one: at most 200 lines are let ahead of
    // what it has received, so only the slow client can be dropped, however loaded the machine is.
    for (let i = 0; i < total; i++) {
      while (i - seen >= 200) await new Promise<void>((resolve) => { progressed = resolve })
      fast.ws.send(`${i} ${line}`.slice(0, 500))
    }
    // A fast client dropped after all would otherwise leave this waiting until the test's timeout.
    let received = false
    const dropped = fast.closed.then(([code]) => {
      if (!received) throw new Error(`the fast client was closed (${code}) after ${seen} of ${total} lines`)
    })
    await Promise.race([all, dropped])
    received = true
    t.pass(`the fast client got all ${total} lines`)
    t.ok(batched, 'queued messages went out batched, joined by newlines')
    fast.ws.send('after the flood')
    for (;;) if ((await fast.text()).split('\n').includes('after the flood')) break

    const frames = await drain(slow)
    const texts = frames.filter(([op]) => op === 1).flatMap(([, text]) => text.split('\n'))
    t.ok(texts.length < total, `the slow client got ${texts.length} of ${total} lines, then was dropped`)
    t.notOk(texts.includes('after the flood'), 'nothing after it was dropped')
    t.same(frames.at(-1), [8, ''], 'its last frame is the empty close frame of the closed send channel')

    const big = await Client.open(`ws://${server.addr}/ws`)
    big.ws.send('y'.repeat(513))
    t.equal((await big.closed)[0], 1009, 'a message over maxMessageSize (512) closes its sender with 1009')
    fast.ws.send('still here')
    for (;;) if ((await fast.text()).split('\n').includes('still here')) break
    t.pass('the room goes on')

    t.same(await server.app.stop('SIGINT'), { code: 0, signal: null }, 'SIGINT: a clean exit')
    t.equal((await fast.closed)[0], 1001, 'the clients were told: going away')
  })
}
