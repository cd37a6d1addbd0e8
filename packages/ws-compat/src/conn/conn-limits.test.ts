/**
 * What a Conn refuses to read: the read limit (1009), invalid UTF-8 (1007) and broken framing (1002), over
 * every upgrader where the behaviour is shared.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  BinaryMessage,
  CloseAbnormalClosure,
  CloseMessage,
  TextMessage,
  defaultReadLimit,
} from '../constants.js'
import { Dialer } from '../handshake/dialer.js'
import { ErrReadLimit, WsCompatErrorCode } from '../errors.js'
import { frameHeader, takeFrame, clientFrame, type RawFrame } from '@hertz-node/test-kit/frames'
import { describeMatrix, startUpgraderServer } from '@hertz-node/test-kit/matrix'
import { frameReader, rawResponse } from '@hertz-node/test-kit/raw-http'
import { handshakeRequest } from '@hertz-node/test-kit/handshake'
import type { Teardown } from '@hertz-node/test-kit/teardown'
import { settledMemory } from '@hertz-node/test-kit/memory'
import { rawWsServer } from '@hertz-node/test-kit/raw-server'
import { pair, rawPair } from '@hertz-node/test-kit/pair'

function closeCode (frame: RawFrame | null): number | undefined {
  return frame !== null && frame.opcode === CloseMessage ? frame.payload.readUInt16BE(0) : undefined
}

describeMatrix('setReadLimit: a larger message closes with 1009 and fails the read with ErrReadLimit', async (t, kind) => {
  const { server, client } = await pair(t, kind)
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

describeMatrix('the read limit applies to fragmented messages as a whole', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  server.setReadLimit(100)
  raw.send(clientFrame(TextMessage, 'a'.repeat(60), { fin: false }))
  raw.send(clientFrame(0, 'b'.repeat(60)))
  await t.rejects(server.readMessage(), ErrReadLimit)
  t.equal(closeCode(await raw.readFrame()), 1009)
  await raw.closed()
})

t.test('the read limit can be given to newServerConn at creation and applies to inflated size', async (t) => {
  const { server, client } = await pair(t, 'server-conn-on-node-http', {
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

describeMatrix('a read limit set before the first read applies to inflated size', async (t, kind) => {
  const { server, client } = await pair(t, kind, {
    compression: true,
    readLimit: 10_000,
    client: { perMessageDeflate: { threshold: 0 } },
  })
  // 100 kB of zeros deflates to a few hundred bytes: only the inflated size can trip the limit.
  client.send(Buffer.alloc(100_000))
  await t.rejects(server.readMessage(), ErrReadLimit)
  const [code] = (await once(client, 'close')) as [number]
  t.equal(code, 1009)
})

/** A masked frame header announcing `length` payload bytes, none of which follow. */
function hugeHeader (length: bigint): Buffer {
  return frameHeader(BinaryMessage, length, { mask: randomBytes(4) })
}

const TERABYTE = 2n ** 40n

t.test('the default read limit is ws\'s maxPayload, 100 MiB', async (t) => {
  t.equal(defaultReadLimit, 100 * 1024 * 1024)
})

describeMatrix('a frame header announcing 2^40 bytes gets close 1009 at once', async (t, _kind, start) => {
  let readErr: unknown
  const srv = await start({
    onConn: async (conn) => {
      readErr = await conn.readMessage().catch((err: unknown) => err)
      conn.close()
    },
  })
  const r = await rawResponse(t, srv.port, handshakeRequest())
  t.equal(r.status, 101)
  // Only the 14 header bytes are sent: an answer proves that nothing was waited for.
  r.socket.write(hugeHeader(TERABYTE))
  const frame = await frameReader(r.socket, r.rest).next()
  t.equal(frame.opcode, CloseMessage)
  t.equal(frame.payload.readUInt16BE(0), 1009)
  await r.closed
  t.equal(readErr, ErrReadLimit, 'the read failed with ErrReadLimit')
})

describeMatrix('the read limit boundary, its override, and 0 for no limit', async (t, kind) => {
  const cases: Array<[name: string, limit: number | undefined, announced: bigint, refused: boolean]> = [
    ['default, exactly 100 MiB', undefined, BigInt(defaultReadLimit), false],
    ['default, 100 MiB + 1', undefined, BigInt(defaultReadLimit) + 1n, true],
    ['setReadLimit(200 MiB) raises it', 200 * 1024 * 1024, 150n * 1024n * 1024n, false],
    ['setReadLimit(10) lowers it', 10, 11n, true],
    ['setReadLimit(0) removes it', 0, TERABYTE, false],
  ]
  for (const [name, limit, announced, refused] of cases) {
    await t.test(name, async (t) => {
      const { server, client: raw } = await rawPair(t, kind)
      if (limit !== undefined) server.setReadLimit(limit)
      raw.send(hugeHeader(announced))
      if (refused) {
        await t.rejects(server.readMessage(), ErrReadLimit)
        t.equal(closeCode(await raw.readFrame()), 1009)
        return
      }
      // Accepted: the server waits for the payload; the client leaving mid-frame ends the read with 1006.
      const read = server.readMessage()
      raw.socket.end()
      await t.rejects(read, { code: CloseAbnormalClosure })
    })
  }
})

t.test('a 2^40-byte frame does not make the server buffer towards it (real socket, memory)', async (t) => {
  const streamed = 64 * 1024 * 1024
  const externalMemory = (): Promise<number> => settledMemory((m) => m.arrayBuffers)

  /**
   * Sends a 2^40 header and up to `streamed` bytes of payload; returns the server's growth in external
   * memory, the bytes the server took, and how its read ended.
   */
  const measure = async (t: Teardown, unlimited: boolean): Promise<[growth: number, taken: number, readErr: unknown]> => {
    let readErr: unknown = 'pending'
    const srv = await startUpgraderServer(t, 'recommended', {
      onConn: async (conn) => {
        if (unlimited) conn.setReadLimit(0)
        readErr = await conn.readMessage().catch((err: unknown) => err)
      },
    })
    const r = await rawResponse(t, srv.port, handshakeRequest())
    const before = await externalMemory()
    r.socket.write(hugeHeader(TERABYTE))
    const chunk = Buffer.alloc(1024 * 1024, 0x61)
    let taken = 0
    while (taken < streamed) {
      // A server that stopped reading would hold the client back: stop sending then (memory is safe too).
      const ok = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 2000)
        r.socket.write(chunk, (err) => {
          clearTimeout(timer)
          resolve(err == null)
        })
      })
      if (!ok) break
      taken += chunk.length
    }
    // Let the server read what the kernel still holds.
    await sleep(200)
    return [(await externalMemory()) - before, taken, readErr]
  }

  const [limited, limitedTaken, limitedErr] = await measure(t, false)
  t.equal(limitedErr, ErrReadLimit, 'the default limit refused the frame')
  t.equal(limitedTaken, streamed, 'the server kept reading (and dropping) the payload')
  t.ok(limited < 16 * 1024 * 1024, `with the default limit the server kept ${limited} bytes of ${streamed} streamed`)

  // Control: the same stream with the limit removed is buffered, so the measurement does see growth.
  const [unlimited, unlimitedTaken, unlimitedErr] = await measure(t, true)
  t.equal(unlimitedErr, 'pending', 'without a limit the read still waits for the payload')
  t.equal(unlimitedTaken, streamed)
  t.ok(unlimited > streamed / 2, `with setReadLimit(0) the server kept ${unlimited} bytes`)
})

t.test('Dialer conns have the default read limit too', async (t) => {
  const { url, received } = await rawWsServer(t, (socket) => socket.write(frameHeader(BinaryMessage, TERABYTE)))
  const [conn] = await new Dialer().dial(url)
  t.teardown(() => conn.close())
  await t.rejects(conn.readMessage(), ErrReadLimit)
  while (takeFrame(Buffer.concat(received)) === null) await sleep(5)
  const [frame] = takeFrame(Buffer.concat(received))!
  t.equal(frame.opcode, CloseMessage)
  t.ok(frame.masked, 'a client close frame is masked')
  t.equal(frame.payload.readUInt16BE(0), 1009)
})

describeMatrix('invalid UTF-8 in a text message closes with 1007', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
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

describeMatrix('invalid UTF-8 in a close reason closes with 1007', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  raw.send(clientFrame(CloseMessage, Buffer.from([0x03, 0xe8, 0xc3, 0x28])))
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.INVALID_UTF8 })
  t.equal(closeCode(await raw.readFrame()), 1007)
})

describeMatrix('protocol errors close with 1002 and a reason', async (t, kind) => {
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
      const { server, client: raw } = await rawPair(t, kind)
      raw.send(bytes)
      await t.rejects(server.readMessage(), { code: WsCompatErrorCode.PROTOCOL, message: `websocket: ${detail}` })
      const frame = await raw.readFrame()
      t.equal(closeCode(frame), 1002)
      t.equal(frame?.payload.subarray(2).toString(), detail)
      await raw.closed()
    })
  }
})

describeMatrix('reading a failed connection in a tight loop does not starve the event loop', async (t, kind) => {
  const { server, client } = await pair(t, kind)
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
