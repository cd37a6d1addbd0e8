/**
 * The bounds on how many pieces a received message may come in: `maxFragments` (frames per message) and
 * `maxBufferedChunks` (socket chunks per frame), `ws`'s defaults, on every upgrader and the `Dialer`. Past a
 * bound the peer gets close 1008 and the read `WS_COMPAT_ERR_FRAGMENT_LIMIT`, and the pieces are let go.
 */
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { BinaryMessage, CloseMessage, defaultMaxBufferedChunks, defaultMaxFragments } from '../constants.js'
import { DefaultDialer, Dialer } from '../handshake/dialer.js'
import { WsCompatErrorCode } from '../errors.js'
import { frameHeader, takeFrame, clientFrame, type RawFrame } from '@hertz-node/test-kit/frames'
import { describeMatrix, startUpgraderServer, type UpgraderKind } from '@hertz-node/test-kit/matrix'
import { rawPair } from '@hertz-node/test-kit/pair'
import { settledMemory } from '@hertz-node/test-kit/memory'
import { handshakeRequest } from '@hertz-node/test-kit/handshake'
import { rawResponse } from '@hertz-node/test-kit/raw-http'
import type { Teardown } from '@hertz-node/test-kit/teardown'
import { rawWsServer } from '@hertz-node/test-kit/raw-server'

function closeCode (frame: RawFrame | null): number | undefined {
  return frame !== null && frame.opcode === CloseMessage ? frame.payload.readUInt16BE(0) : undefined
}

/** A binary message of `count` 1-byte frames, as one buffer (client frames: masked). */
function fragmented (count: number): Buffer {
  const frames = [clientFrame(BinaryMessage, 'x', { fin: count === 1 })]
  for (let i = 1; i < count; i++) frames.push(clientFrame(0, 'x', { fin: i === count - 1 }))
  return Buffer.concat(frames)
}

const fragmentLimit = { code: WsCompatErrorCode.FRAGMENT_LIMIT, message: 'websocket: too many message fragments' }

t.test('the defaults are ws\'s: 16384 fragments, 262144 buffered chunks', async (t) => {
  t.equal(defaultMaxFragments, 16384)
  t.equal(defaultMaxBufferedChunks, 262144)
  t.equal(DefaultDialer.maxFragments, defaultMaxFragments)
  t.equal(new Dialer().maxBufferedChunks, defaultMaxBufferedChunks)
})

describeMatrix('a message of maxFragments fragments is read; one more closes with 1008', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  raw.send(fragmented(defaultMaxFragments))
  const [type, data] = await server.readMessage()
  t.equal(type, BinaryMessage)
  t.equal(data.length, defaultMaxFragments, 'the message at the limit arrived whole')
  // Finished, so that a server without the bound delivers it rather than waiting.
  raw.send(fragmented(defaultMaxFragments + 1))
  if (!(await t.rejects(server.readMessage(), fragmentLimit))) return
  const frame = await raw.readFrame()
  t.equal(closeCode(frame), 1008)
  t.equal(frame?.payload.subarray(2).toString(), 'Too many message fragments')
  await raw.closed()
  t.pass('the server closed the TCP connection')
})

describeMatrix('maxFragments is an upgrader field; 0 removes the bound', async (t, kind) => {
  await t.test('maxFragments: 4', async (t) => {
    const { server, client: raw } = await rawPair(t, kind, { limits: { maxFragments: 4 } })
    raw.send(fragmented(4))
    t.equal((await server.readMessage())[1].length, 4)
    raw.send(fragmented(5))
    if (!(await t.rejects(server.readMessage(), fragmentLimit))) return
    t.equal(closeCode(await raw.readFrame()), 1008)
  })
  await t.test('maxFragments: 0', async (t) => {
    const { server, client: raw } = await rawPair(t, kind, { limits: { maxFragments: 0 } })
    raw.send(fragmented(defaultMaxFragments + 100))
    t.equal((await server.readMessage())[1].length, defaultMaxFragments + 100)
  })
})

describeMatrix('a frame trickled in more than maxBufferedChunks socket chunks closes with 1008', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind, { limits: { maxBufferedChunks: 8 } })
  const length = 1000
  raw.socket.setNoDelay(true)
  // The header, then the payload one byte per write and per turn, so that the bytes arrive apart; stop when
  // the server answers. A server without the bound gets the whole frame and delivers the message.
  raw.send(frameHeader(BinaryMessage, BigInt(length), { mask: Buffer.alloc(4) }))
  const answer = raw.readFrame()
  let answered = false
  void answer.then(() => { answered = true })
  for (let i = 0; i < length && !answered; i++) {
    raw.send(Buffer.from('x'))
    await sleep(1)
  }
  const refused = { code: WsCompatErrorCode.FRAGMENT_LIMIT, message: 'websocket: too many buffered chunks' }
  if (!(await t.rejects(server.readMessage(), refused))) return
  t.equal(closeCode(await answer), 1008)
  await raw.closed()
})

t.test('Dialer conns bound fragments too, with the Dialer\'s field', async (t) => {
  const { url, received } = await rawWsServer(t, (socket) => {
    // Server frames: unmasked.
    const frames = [frameHeader(BinaryMessage, 1n, { fin: false }), Buffer.from('x')]
    for (let i = 0; i < 3; i++) frames.push(frameHeader(0, 1n, { fin: i === 2 }), Buffer.from('x'))
    socket.write(Buffer.concat(frames))
  })
  const [conn] = await new Dialer({ maxFragments: 3 }).dial(url)
  t.teardown(() => conn.close())
  if (!(await t.rejects(conn.readMessage(), fragmentLimit))) return
  while (takeFrame(Buffer.concat(received)) === null) await sleep(5)
  const [frame] = takeFrame(Buffer.concat(received))!
  t.ok(frame.masked, 'a client close frame is masked')
  t.equal(closeCode(frame), 1008)
})

t.test('a flood of 1-byte fragments stays bounded, and the conn kept after it holds none (memory)', async (t) => {
  const used = (): Promise<number> => settledMemory()
  const count = 200_000
  const flood = Buffer.concat([clientFrame(BinaryMessage, 'x', { fin: false }), ...Array.from({ length: count }, () => clientFrame(0, 'x', { fin: false }))])

  /** Sends the never-finished message; returns the server's growth while it keeps the conn, and how the read ended. */
  const measure = async (t: Teardown, kind: UpgraderKind, maxFragments: number): Promise<[growth: number, readErr: unknown]> => {
    let readErr: unknown = 'pending'
    let release!: () => void
    const held = new Promise<void>((resolve) => { release = resolve })
    const srv = await startUpgraderServer(t, kind, {
      limits: { maxFragments },
      onConn: async (conn) => {
        readErr = await conn.readMessage().catch((err: unknown) => err)
        await held // the application keeps the conn, as a set of clients would
        conn.close()
      },
    })
    const r = await rawResponse(t, srv.port, handshakeRequest())
    const before = await used()
    await new Promise((resolve) => r.socket.write(flood, resolve))
    for (let i = 0; i < 100 && readErr === 'pending' && !r.socket.destroyed; i++) await sleep(20)
    // Let the server parse whatever the kernel still holds.
    await sleep(200)
    const growth = (await used()) - before
    release()
    r.socket.destroy()
    return [growth, readErr]
  }

  for (const kind of ['legacy', 'recommended'] as const) {
    await t.test(kind, async (t) => {
      const [bounded, boundedErr] = await measure(t, kind, defaultMaxFragments)
      t.match(boundedErr, fragmentLimit, 'the default bound refused the message')
      // Under the 16384 fragments the bound lets in (~1.8 MiB): what was kept of the refused message is let go.
      t.ok(bounded < 1024 * 1024, `with the default bound the server kept ${bounded} bytes after ${count} fragments`)
      // Control: without the bound the same flood is kept, so the measurement does see growth.
      const [unbounded, unboundedErr] = await measure(t, kind, 0)
      t.equal(unboundedErr, 'pending', 'without a bound the read still waits for the end of the message')
      t.ok(unbounded > count * 50, `with maxFragments: 0 the server kept ${unbounded} bytes`)
    })
  }
})
