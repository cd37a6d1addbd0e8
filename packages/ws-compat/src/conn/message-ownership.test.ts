/**
 * A message returned by readMessage owns its bytes, as gorilla's ReadMessage returns a slice the caller owns:
 * keeping one must not keep the socket chunk it arrived in (and the messages around it) alive.
 */
import { BinaryMessage } from '../constants.js'
import { clientFrame } from '@hertz-node/test-kit/frames'
import { describeMatrix } from '@hertz-node/test-kit/matrix'
import { rawPair } from '@hertz-node/test-kit/pair'

describeMatrix('small messages that arrived in one large chunk each keep only their own bytes', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  // 4 000 ten-byte messages in one write: 64 000 bytes that the server reads in a few large chunks.
  const count = 4000
  const frames = Buffer.concat(Array.from({ length: count }, (_, i) => clientFrame(BinaryMessage, String(i).padStart(10, '0'))))
  raw.send(frames)
  const kept: Buffer[] = []
  const types = new Set<number>()
  for (let i = 0; i < count; i++) {
    const [type, data] = await server.readMessage()
    types.add(type)
    kept.push(data)
  }
  t.same([...types], [BinaryMessage], 'every message is binary')
  t.same(kept.map((data) => data.toString()), Array.from({ length: count }, (_, i) => String(i).padStart(10, '0')),
    'every message arrived, in order, intact')
  const pinning = kept.filter((data) => data.buffer.byteLength > Buffer.poolSize)
  t.equal(pinning.length, 0, `no kept message holds more than a pool slab (${Buffer.poolSize} bytes) of memory`)
  const largest = Math.max(...kept.map((data) => data.buffer.byteLength))
  t.ok(largest <= Buffer.poolSize, `the largest memory behind a kept message: ${largest} bytes`)
})

describeMatrix('a large message that is most of its chunk is handed over as it is, its bytes intact', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  const payload = Buffer.alloc(60_000, 7)
  raw.send(clientFrame(BinaryMessage, payload))
  const [, data] = await server.readMessage()
  t.ok(data.equals(payload), 'the bytes arrive intact')
  t.ok(data.buffer.byteLength - data.byteLength <= data.byteLength, 'it keeps at most as much again as its own size')
})
