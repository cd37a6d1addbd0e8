/**
 * Ping and pong payloads are bytes, not text: a handler wrapped the gorilla way (`def := c.PingHandler()`)
 * answers with exactly the bytes received, the pong handler sees them, and a control write that fails inside
 * a handler reaches the reads. On every upgrader (raw frames from the client) and on the `Dialer`.
 */
import t from 'tap'
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { PingMessage, PongMessage, TextMessage } from '../constants.js'
import { Dialer } from '../handshake/dialer.js'
import { WsCompatErrorCode } from '../errors.js'
import { buildFrame, takeFrame } from '@hertz-node/test-kit/frames'
import { describeMatrix } from '@hertz-node/test-kit/matrix'
import { rawPair } from '@hertz-node/test-kit/pair'
import { rawWsServer } from '@hertz-node/test-kit/raw-server'
import { clientFrame } from '@hertz-node/test-kit/frames'
import type { Conn } from './conn.js'

/** Not UTF-8: a lone continuation byte, bytes never valid, a NUL. */
const notText = Buffer.from([0xff, 0xfe, 0x80, 0x00, 0x01])
/** The largest control payload, every byte of it a continuation byte or worse. */
const longest = Buffer.from(Array.from({ length: 125 }, (_, i) => 0x80 + i))

/** Wraps the default ping handler as gorilla's examples do; records what it saw. */
function wrapPing (conn: Conn): Buffer[] {
  const seen: Buffer[] = []
  const def = conn.pingHandler()
  conn.setPingHandler((appData) => {
    seen.push(Buffer.from(appData))
    return def(appData)
  })
  return seen
}

describeMatrix('a wrapped default ping handler answers with the exact bytes', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  const seen = wrapPing(server)
  for (const payload of [notText, longest]) {
    raw.send(clientFrame(PingMessage, payload))
    const frame = await raw.readFrame()
    t.equal(frame?.opcode, PongMessage, `a pong for ${payload.length} bytes`)
    t.same([...(frame?.payload ?? [])], [...payload], 'of the same bytes')
  }
  t.same(seen.map((b) => [...b]), [[...notText], [...longest]], 'the handler saw the bytes')
  raw.send(clientFrame(TextMessage, 'still open'))
  t.same(await server.readMessage(), [TextMessage, Buffer.from('still open')])
})

describeMatrix('the pong handler sees the exact bytes', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  const got = new Promise<Buffer>((resolve) => server.setPongHandler((appData) => resolve(Buffer.from(appData))))
  raw.send(clientFrame(PongMessage, longest))
  t.same([...(await got)], [...longest])
})

describeMatrix('a control write that fails in a handler fails the reads with its error', async (t, kind) => {
  const { server, client: raw } = await rawPair(t, kind)
  const def = server.pingHandler()
  // 126 bytes: one more than a control frame may carry.
  server.setPingHandler(() => def(Buffer.alloc(126, 0x61)))
  raw.send(clientFrame(PingMessage, 'x'))
  await t.rejects(server.readMessage(), { code: WsCompatErrorCode.INVALID_CONTROL_FRAME })
})

t.test('Dialer conns answer pings with the exact bytes too', async (t) => {
  let peer: Socket | undefined
  const { url, received } = await rawWsServer(t, (socket) => {
    peer = socket
  })
  const [conn] = await new Dialer().dial(url)
  t.teardown(() => conn.close())
  const seen = wrapPing(conn)
  peer!.write(buildFrame({ opcode: PingMessage, payload: longest, mask: null }))
  while (takeFrame(Buffer.concat(received)) === null) await sleep(5)
  const [frame] = takeFrame(Buffer.concat(received))!
  t.ok(frame.masked, 'a client frame is masked')
  t.equal(frame.opcode, PongMessage)
  t.same([...frame.payload], [...longest])
  t.same(seen.map((b) => [...b]), [[...longest]])
})
