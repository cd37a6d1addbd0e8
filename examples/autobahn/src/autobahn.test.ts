import t from 'tap'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { createHash, randomBytes } from 'node:crypto'
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib'
import { PATHS, startServer, type RunningServer } from '@hertz-node/example-support/spawn-app'
import { Client } from '@hertz-node/example-support/ws-client'

// Real processes on a machine that may be busy: allow more than tap's default 30 s per file.
t.setTimeout(180_000)

/** The echo routes of the originals and their Autobahn agent names. */
const ROUTES = { c: 'CopyWriterOnly', f: 'CopyFull', r: 'ReadAllWrite', m: 'ReadAllWriteMessage', p: 'ReadAllWritePreparedMessage' }

interface Frame {
  fin: boolean
  rsv1: boolean
  opcode: number
  payload: Buffer
}

/** A client speaking raw frames over a socket whose handshake it did itself. */
class RawClient {
  private buf: Buffer = Buffer.alloc(0)
  private ended = false
  private wake: (() => void) | null = null

  constructor (readonly socket: Socket, rest: Buffer, readonly extensions: string) {
    this.buf = rest
    socket.on('data', (chunk: Buffer) => { this.buf = Buffer.concat([this.buf, chunk]); this.wake?.() })
    socket.on('close', () => { this.ended = true; this.wake?.() })
  }

  static async open (server: RunningServer, path: string, extensions = ''): Promise<RawClient> {
    const socket = connect(server.port, server.host)
    await once(socket, 'connect')
    const key = randomBytes(16).toString('base64')
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${server.addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
      (extensions === '' ? '' : `Sec-WebSocket-Extensions: ${extensions}\r\n`) + '\r\n')
    let head = Buffer.alloc(0)
    while (!head.includes('\r\n\r\n')) {
      const [chunk] = await once(socket, 'data') as [Buffer]
      head = Buffer.concat([head, chunk])
    }
    const end = head.indexOf('\r\n\r\n') + 4
    const text = head.subarray(0, end).toString('latin1')
    if (!text.startsWith('HTTP/1.1 101')) throw new Error(`no 101: ${text}`)
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
    if (!text.includes(`\r\nSec-WebSocket-Accept: ${accept}\r\n`)) throw new Error(`bad accept: ${text}`)
    const ext = /\r\nSec-WebSocket-Extensions: ([^\r]*)\r\n/i.exec(text)
    return new RawClient(socket, head.subarray(end), ext === null ? '' : ext[1] as string)
  }

  /** Send one masked frame. */
  send (opcode: number, payload: Buffer, { fin = true, rsv1 = false } = {}): void {
    const mask = randomBytes(4)
    const len = payload.length
    const head = len < 126 ? Buffer.from([0, 0x80 | len]) : Buffer.from([0, 0x80 | 126, len >> 8, len & 0xff])
    if (len > 0xffff) throw new Error('test frames stay under 64 KiB')
    head[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode
    const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)))
    this.socket.write(Buffer.concat([head, mask, masked]))
  }

  /** The next frame from the server (unmasked). */
  async frame (): Promise<Frame> {
    for (;;) {
      const f = this.parse()
      if (f !== null) return f
      if (this.ended) throw new Error('the connection closed before a whole frame came')
      await new Promise<void>((resolve) => { this.wake = resolve })
      this.wake = null
    }
  }

  private parse (): Frame | null {
    if (this.buf.length < 2) return null
    const b0 = this.buf[0] as number
    let len = (this.buf[1] as number) & 0x7f
    let at = 2
    if (len === 126) {
      if (this.buf.length < 4) return null
      len = this.buf.readUInt16BE(2)
      at = 4
    } else if (len === 127) {
      if (this.buf.length < 10) return null
      len = Number(this.buf.readBigUInt64BE(2))
      at = 10
    }
    if (this.buf.length < at + len) return null
    const payload = this.buf.subarray(at, at + len)
    this.buf = this.buf.subarray(at + len)
    return { fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, opcode: b0 & 0x0f, payload }
  }

  /** The frames of the next data message, until the one with FIN. */
  async message (): Promise<Frame[]> {
    const frames: Frame[] = []
    for (;;) {
      const f = await this.frame()
      if (f.opcode >= 8) continue
      frames.push(f)
      if (f.fin) return frames
    }
  }
}

/** A permessage-deflate payload: deflate with a sync flush, its 00 00 ff ff tail removed (RFC 7692 7.2.1). */
function compress (data: Buffer): Buffer {
  const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH })
  return out.subarray(0, out.length - 4)
}

function decompress (payload: Buffer): Buffer {
  return inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH })
}

for (const path of PATHS) {
  t.test(path, async (t) => {
    const server = await startServer('autobahn', path)
    t.teardown(() => server.app.kill())

    t.test('GET / is the Echo Server page', async (t) => {
      const res = await fetch(`http://${server.addr}/`)
      t.equal(res.status, 200)
      // hertz-contrib sets text/html, then c.String sets text/plain over it, as Hertz's does.
      t.equal(res.headers.get('content-type'), path === 'legacy' ? 'text/plain; charset=utf-8' : 'text/html; charset=utf-8')
      t.equal(await res.text(), '<html><body>Echo Server</body></html>')
      const other = await fetch(`http://${server.addr}/nope`)
      t.equal(other.status, 404)
      if (path === 'legacy') t.equal(await other.text(), 'Unsupported path', 'the noRoute answer')
    })

    for (const [route, agent] of Object.entries(ROUTES)) {
      const url = `ws://${server.addr}/${route}`

      t.test(`/${route} (${agent}): text, binary, empty and large messages keep their type and bytes`, async (t) => {
        const client = await Client.open(url, { perMessageDeflate: false })
        t.teardown(() => client.terminate())
        const large = Buffer.alloc(100_000, 'abcdefghij')
        for (const [data, binary] of [['Hello, 世界', false], [Buffer.from([0, 1, 0xfe, 0xff]), true], ['', false],
          [large, true], [large.toString(), false]] as const) {
          client.ws.send(data, { binary })
          const [echo, isBinary] = await client.next()
          t.equal(isBinary, binary)
          t.same(echo, Buffer.from(data), `${binary ? 'binary' : 'text'} of ${Buffer.byteLength(data)} bytes`)
        }
        client.ws.close(1000)
        t.same(await client.closed, [1000, ''])
      })

      t.test(`/${route}: a fragmented message, split inside a character, comes back whole`, async (t) => {
        const client = await Client.open(url, { perMessageDeflate: false })
        t.teardown(() => client.terminate())
        const text = Buffer.from('fragments: 世界 done')
        const cut = text.indexOf(Buffer.from('世')) + 1
        client.ws.send(text.subarray(0, 3), { binary: false, fin: false })
        client.ws.send(text.subarray(3, cut), { binary: false, fin: false })
        client.ws.send(text.subarray(cut), { binary: false, fin: true })
        t.equal(await client.text(), text.toString())
      })

      t.test(`/${route}: invalid UTF-8 in a text message gets close 1007`, async (t) => {
        for (const fragments of [[Buffer.from([0x48, 0xff])], [Buffer.from('ok'), Buffer.from([0xed, 0xa0, 0x80])]]) {
          const client = await Client.open(url, { perMessageDeflate: false })
          t.teardown(() => client.terminate())
          fragments.forEach((p, i) => client.ws.send(p, { binary: false, fin: i === fragments.length - 1 }))
          t.equal((await client.closed)[0], 1007, `${fragments.length} fragment(s)`)
        }
      })

      t.test(`/${route}: permessage-deflate is negotiated and used both ways`, async (t) => {
        const client = await Client.open(url, { perMessageDeflate: true })
        t.teardown(() => client.terminate())
        t.match(client.ws.extensions, /^permessage-deflate/)
        const text = 'compress me '.repeat(500)
        client.ws.send(text)
        t.equal(await client.text(), text)

        const raw = await RawClient.open(server, `/${route}`, 'permessage-deflate; client_no_context_takeover')
        t.teardown(() => raw.socket.destroy())
        t.match(raw.extensions, /^permessage-deflate/)
        const data = Buffer.from('deflated '.repeat(300))
        raw.send(1, compress(data), { rsv1: true })
        const frames = await raw.message()
        t.equal(frames[0]?.opcode, 1)
        t.equal(frames[0]?.rsv1, true, 'the echo is compressed')
        const payload = Buffer.concat(frames.map((f) => f.payload))
        t.ok(payload.length < data.length, `${payload.length} bytes on the wire for ${data.length}`)
        t.same(decompress(payload), data)
      })
    }

    t.test('SIGTERM with a client connected: close 1001, exit 0', async (t) => {
      const client = await Client.open(`ws://${server.addr}/f`)
      t.teardown(() => client.terminate())
      const [exit, closed] = await Promise.all([server.app.stop('SIGTERM'), client.closed])
      t.same(exit, { code: 0, signal: null }, server.app.output())
      t.equal(closed[0], 1001)
    })
  })
}
