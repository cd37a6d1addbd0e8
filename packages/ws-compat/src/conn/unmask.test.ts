import t from 'tap'
import * as http from 'node:http'
import { createRequire } from 'node:module'
import { unmaskWords, wsUnmasksNatively } from './unmask.js'

/** RFC 6455's definition: byte i XOR mask[i % 4]. */
function unmaskBytes (payload: Uint8Array, mask: Uint8Array): void {
  for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number)
}

/** A payload of `length` varied bytes at `offset` bytes into a larger buffer, so its alignment is `offset % 4`. */
function payloadAt (length: number, offset: number): { whole: Buffer, payload: Buffer } {
  const whole = Buffer.alloc(offset + length + 8, 0xee)
  const payload = whole.subarray(offset, offset + length)
  for (let i = 0; i < length; i++) payload[i] = (i * 131 + 7) & 0xff
  return { whole, payload }
}

const MASKS = [[0x9a, 0x01, 0xff, 0x3c], [0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [1, 2, 3, 4]].map((m) => Buffer.from(m))

t.test('unmaskWords gives the byte-wise result for every length, alignment and mask', async (t) => {
  let cases = 0
  let wrong = 0
  for (const mask of MASKS) {
    for (const length of [...Array.from({ length: 140 }, (_, i) => i), 16384, 16387, 65536 + 5]) {
      for (let offset = 0; offset < 8; offset++) {
        const a = payloadAt(length, offset)
        const b = payloadAt(length, offset)
        unmaskWords(a.payload, mask)
        unmaskBytes(b.payload, mask)
        cases++
        if (!a.whole.equals(b.whole)) wrong++
      }
    }
  }
  t.equal(wrong, 0, `${cases} cases: the same bytes, and nothing outside the payload touched`)
})

t.test('unmaskWords reads the mask from a view into a larger buffer (as a frame header gives it)', async (t) => {
  const frame = Buffer.from([0x82, 0xfe, 0x00, 0x50, 0x11, 0x22, 0x33, 0x44])
  const mask = frame.subarray(4, 8)
  const { payload } = payloadAt(80, 3)
  const expected = Buffer.from(payload)
  unmaskBytes(expected, mask)
  unmaskWords(payload, mask)
  t.same(payload, expected)
  unmaskWords(payload, mask)
  const original = payloadAt(80, 3).payload
  t.same(payload, original, 'unmasking twice gives the masked bytes back')
})

t.test('wsUnmasksNatively follows ws\'s own rule', async (t) => {
  const builtIn = typeof (http as { websocketUnmask?: unknown }).websocketUnmask === 'function'
  let bufferutil = true
  try {
    const require = createRequire(import.meta.url)
    createRequire(require.resolve('ws')).resolve('bufferutil')
  } catch {
    bufferutil = false
  }
  const saved = process.env.WS_NO_BUFFER_UTIL
  t.teardown(() => { if (saved === undefined) delete process.env.WS_NO_BUFFER_UTIL; else process.env.WS_NO_BUFFER_UTIL = saved })
  delete process.env.WS_NO_BUFFER_UTIL
  t.equal(wsUnmasksNatively(), builtIn || bufferutil, 'node:http\'s websocketUnmask, else bufferutil from ws\'s folder')
  process.env.WS_NO_BUFFER_UTIL = '1'
  t.equal(wsUnmasksNatively(), builtIn, 'WS_NO_BUFFER_UTIL keeps ws off bufferutil')
})
