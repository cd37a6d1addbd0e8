/**
 * How a connection leaves its TCP socket. Once a close frame went out, closing must not reset the
 * connection under a peer that is still sending: the kernel answers unread input with RST, and the peer
 * then loses the close frame (RFC 6455 5.5.1, 7.1.1). Raw sockets, so the test sees exactly what the
 * peer sees; every upgrader, as the seed's handlers run on each.
 */
import type { Test } from 'tap'
import type { Socket } from 'node:net'
import { BinaryMessage, CloseMessage, CloseNormalClosure, CloseProtocolError, writeWait } from '../constants.js'
import { formatCloseMessage } from './close-error.js'
import { WsCompatErrorCode } from '../errors.js'
import type { Conn } from './conn.js'
import { clientFrame, takeFrame, type RawFrame } from '@hertz-node/test-kit/frames'
import { describeMatrix } from '@hertz-node/test-kit/matrix'
import { handshakeRequest } from '@hertz-node/test-kit/handshake'
import { rawResponse } from '@hertz-node/test-kit/raw-http'

function tcpSockets (): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length
}

async function until (cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!cond() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  return cond()
}

/** What a raw client saw of the server from the violation on. */
interface PeerView {
  close: RawFrame | null
  /** The socket error, if the server reset the connection. */
  error: Error | null
  /** The server half-closed (FIN) after its close frame. */
  ended: boolean
}

/**
 * Sends masked binary frames without pause, with an unmasked one among them, and keeps sending until the
 * server's close frame arrives (or the connection dies). Then ends its own side and waits for the close.
 */
async function violateWhileSending (t: Test, port: number): Promise<PeerView> {
  const r = await rawResponse(t, port, handshakeRequest())
  t.equal(r.status, 101)
  const socket: Socket = r.socket
  const view: PeerView = { close: null, error: null, ended: false }
  let buf = r.rest
  socket.on('error', (err) => { view.error = err })
  socket.on('end', () => { view.ended = true })
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk])
    for (let taken = takeFrame(buf); taken !== null; taken = takeFrame(buf)) {
      buf = taken[1]
      if (taken[0].opcode === CloseMessage) view.close = taken[0]
    }
  })
  socket.resume()
  const filler = clientFrame(BinaryMessage, Buffer.alloc(8 * 1024, 0x61))
  const stopAt = Date.now() + 5000
  for (let i = 0; view.close === null && !socket.destroyed && Date.now() < stopAt; i++) {
    if (i === 20) socket.write(clientFrame(BinaryMessage, 'unmasked', { mask: false }))
    if (socket.writableLength < 256 * 1024) socket.write(filler)
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.ok(await until(() => view.ended || socket.destroyed, 3000), 'the server half-closed after its close frame')
  socket.end()
  await r.closed
  return view
}

const seedHandler = (errors: unknown[], close: boolean) => async (conn: Conn): Promise<void> => {
  try {
    for (;;) {
      const [mt, message] = await conn.readMessage()
      await conn.writeMessage(mt, message)
    }
  } catch (err) {
    errors.push(err)
  } finally {
    if (close) conn.close()
  }
}

for (const close of [true, false]) {
  const how = close ? 'the handler closes the conn (defer c.Close())' : 'the handler returns without closing it'
  describeMatrix(`protocol error while the client keeps sending, ${how}: the close frame arrives`, async (t, _kind, start) => {
    const errors: unknown[] = []
    const srv = await start({ onConn: seedHandler(errors, close) })
    const base = tcpSockets()
    const view = await violateWhileSending(t, srv.port)
    t.equal(view.error, null, 'no reset')
    t.equal(view.close?.payload.readUInt16BE(0), CloseProtocolError, 'the client read the 1002 close frame')
    t.equal(view.close?.payload.subarray(2).toString(), 'MASK must be set')
    t.ok(view.ended, 'then the server ended its side')
    t.match(errors, [{ code: WsCompatErrorCode.PROTOCOL }], 'the read loop ended with the protocol error')
    t.ok(await until(() => tcpSockets() <= base, 3000), 'no socket left open')
  })
}

describeMatrix('a peer that reads the close frame and never closes its side is cut after writeWait', async (t, _kind, start) => {
  const srv = await start({
    onConn: async (conn: Conn): Promise<void> => {
      await conn.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, 'bye'))
      conn.close() // lingers: the peer may still be sending
    },
  })
  const base = tcpSockets()
  const r = await rawResponse(t, srv.port, handshakeRequest())
  t.equal(r.status, 101)
  const socket: Socket = r.socket
  // A peer that keeps its side open after the server's FIN, as a client that never finishes the close does.
  socket.allowHalfOpen = true
  socket.on('error', () => {}) // its writes fail once the server gives up on it: that is the point
  let buf = r.rest
  let close: RawFrame | null = null
  let ended = false
  socket.on('end', () => { ended = true })
  const read = (chunk: Buffer): void => {
    buf = Buffer.concat([buf, chunk])
    for (let taken = takeFrame(buf); taken !== null; taken = takeFrame(buf)) {
      buf = taken[1]
      if (taken[0].opcode === CloseMessage) close = taken[0]
    }
  }
  read(Buffer.alloc(0)) // the close frame may have come with the 101
  socket.on('data', read)
  socket.resume()
  const started = Date.now()
  t.ok(await until(() => close !== null, 3000), 'the close frame arrived')
  t.equal((close as RawFrame | null)?.payload.subarray(2).toString(), 'bye')
  // The client neither answers nor ends; it keeps its side open and sends a frame now and then.
  const pings = setInterval(() => { if (!socket.destroyed) socket.write(clientFrame(BinaryMessage, 'still here')) }, 100)
  t.teardown(() => clearInterval(pings))
  if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve))
  const lived = Date.now() - started
  clearInterval(pings)
  t.ok(lived >= writeWait - 100, `the server waited for the peer (${lived} ms)`)
  t.ok(lived < writeWait + 2000, `then closed the connection itself (${lived} ms)`)
  t.ok(ended, 'with a FIN first: its side was half-closed behind the close frame')
  t.ok(await until(() => tcpSockets() <= base, 3000), 'no socket left open')
})
