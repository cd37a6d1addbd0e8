/**
 * Invalid UTF-8 in a fragmented text message is refused at the first fragment that cannot be valid (Autobahn
 * 6.4.1-6.4.4 "fail fast"), with close 1007 at once, before the message is complete: on every upgrader and on
 * the `Dialer`.
 */
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Socket } from 'node:net'
import { CloseMessage, TextMessage } from '../constants.js'
import { Dialer } from '../handshake/dialer.js'
import { WsCompatErrorCode } from '../errors.js'
import { buildFrame, takeFrame } from '@hertz-node/test-kit/frames'
import { describeMatrix } from '@hertz-node/test-kit/matrix'
import { rawPair } from '@hertz-node/test-kit/pair'
import { rawWsServer } from '@hertz-node/test-kit/raw-server'
import { clientFrame, type RawFrame } from '@hertz-node/test-kit/frames'

const valid = Buffer.from('κόσμε')
/** The first bytes of U+110000, past the last code point: no continuation can make them valid. */
const pastUnicode = Buffer.from([0xf4, 0x90])

function closeCode (frame: RawFrame | null): number | undefined {
  return frame !== null && frame.opcode === CloseMessage ? frame.payload.readUInt16BE(0) : undefined
}

describeMatrix('a fragment that cannot be UTF-8 closes with 1007 before the message ends', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  raw.send(clientFrame(TextMessage, 'whole'))
  t.same(await server.readMessage(), [TextMessage, Buffer.from('whole')])
  const read = server.readMessage()
  // 6.4.2's cut: the bad code point starts at the end of a fragment and goes wrong in the next one.
  raw.send(clientFrame(TextMessage, Buffer.concat([valid, pastUnicode.subarray(0, 1)]), { fin: false }))
  await sleep(20)
  raw.send(clientFrame(0, pastUnicode.subarray(1), { fin: false }))
  // The final fragment is never sent: the refusal must not wait for it.
  await t.rejects(read, { code: WsCompatErrorCode.INVALID_UTF8 })
  t.equal(closeCode(await raw.readFrame()), 1007)
  await raw.closed()
})

describeMatrix('valid text cut inside its code points is delivered whole', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  const text = Buffer.from('€😀é')
  raw.send(Buffer.concat([
    clientFrame(TextMessage, text.subarray(0, 2), { fin: false }),
    clientFrame(0, text.subarray(2, 5), { fin: false }),
    clientFrame(0, text.subarray(5, 8), { fin: false }),
    clientFrame(0, text.subarray(8)),
  ]))
  t.same(await server.readMessage(), [TextMessage, text])
})

t.test('Dialer conns refuse such a fragment at once too', async (t) => {
  let peer: Socket | undefined
  const { url, received } = await rawWsServer(t, (socket) => {
    peer = socket
  })
  const [conn] = await new Dialer().dial(url)
  t.teardown(() => conn.close())
  peer!.write(Buffer.concat([
    buildFrame({ opcode: TextMessage, payload: valid, fin: false, mask: null }),
    buildFrame({ opcode: 0, payload: pastUnicode, fin: false, mask: null }),
  ]))
  await t.rejects(conn.readMessage(), { code: WsCompatErrorCode.INVALID_UTF8 })
  while (takeFrame(Buffer.concat(received)) === null) await sleep(5)
  const [frame] = takeFrame(Buffer.concat(received))!
  t.ok(frame.masked)
  t.equal(closeCode(frame), 1007)
})
