/**
 * Memory figures for two hostile or careless patterns, on both paths (legacy: HertzUpgrader in the router;
 * recommended: adaptor.handler + Upgrader in the router), server and client in this process:
 *   - fragments: one never-finished message sent as N masked 1-byte continuation frames by a raw client;
 *   - writes: N unawaited 64 KiB `writeMessage` calls to a client that never reads.
 * Prints the server's growth in heap and array buffers (after a full GC) and how each case ended. Each case
 * runs in a child process of its own, so that one case's garbage does not blur the next one's figure.
 *
 *   node --conditions=hertz-source --import tsx reliability/src/measure-memory.ts [fragments] [writes]
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server, type Context, type RequestContext } from '@hertz-node/router'
import { handler } from '@hertz-node/adaptor'
import { BinaryMessage, HertzUpgrader, Upgrader, type Conn } from '@hertz-node/ws-compat'
import { buildFrame } from '@hertz-node/test-kit/frames'
import { settledMemory } from '@hertz-node/test-kit/memory'

const FRAGMENTS = Number(process.env.MEASURE_FRAGMENTS ?? process.argv[2] ?? 2_000_000)
const WRITES = Number(process.env.MEASURE_WRITES ?? process.argv[3] ?? 3000)

type Path = 'legacy' | 'recommended'

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`

/** Starts `path`'s app; `onConn` gets each connection and must keep it until it is done. */
async function start (path: Path, onConn: (conn: Conn) => Promise<void>): Promise<{ port: number, close: () => Promise<void> }> {
  const h = server.New(server.withHostPorts('127.0.0.1:0'))
  h.logger = { info () {}, warn () {}, error () {} }
  if (path === 'legacy') {
    h.noHijackConnPool = true
    const up = new HertzUpgrader()
    h.GET('/ws', async (_ctx: Context, c: RequestContext) => { await up.upgrade(c, onConn) })
  } else {
    const up = new Upgrader()
    h.GET('/ws', handler(async (req: IncomingMessage, res: ServerResponse) => {
      const conn = await up.upgrade(req, res)
      return onConn(conn)
    }))
  }
  await h.run()
  return { port: h.address().port, close: async () => { await h.close() } }
}

/** A raw client past the handshake; the 101 head is read and dropped. */
async function rawClient (port: number): Promise<{ socket: Socket, frames: Buffer[] }> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  await once(socket, 'connect')
  socket.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  const frames: Buffer[] = []
  let head = true
  socket.on('data', (chunk: Buffer) => {
    if (!head) { frames.push(chunk); return }
    const end = chunk.indexOf('\r\n\r\n')
    if (end === -1) return
    head = false
    if (end + 4 < chunk.length) frames.push(chunk.subarray(end + 4))
  })
  while (head) await sleep(5)
  return { socket, frames }
}

async function fragments (path: Path): Promise<void> {
  let readErr: unknown = 'pending'
  const app = await start(path, async (conn) => {
    readErr = await conn.readMessage().catch((err: unknown) => err)
    await sleep(1000) // keep the conn, as an application holding its clients would
    conn.close()
  })
  const { socket, frames } = await rawClient(app.port)
  const first = buildFrame({ fin: false, opcode: BinaryMessage, payload: Buffer.from('x') })
  const cont = buildFrame({ fin: false, opcode: 0, payload: Buffer.from('x') })
  const wire = Buffer.alloc(first.length + cont.length * FRAGMENTS)
  first.copy(wire)
  for (let i = 0; i < FRAGMENTS; i++) cont.copy(wire, first.length + i * cont.length)
  const before = await settledMemory()
  let sent = 0
  for (let off = 0; off < wire.length && !socket.destroyed && frames.length === 0; off += 1 << 20) {
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2000)
      socket.write(wire.subarray(off, off + (1 << 20)), (err) => { clearTimeout(timer); resolve(err == null) })
    })
    if (!ok) break
    sent = Math.min(wire.length, off + (1 << 20))
  }
  await sleep(300)
  const after = await settledMemory()
  const answer = Buffer.concat(frames)
  const code = answer.length >= 4 && (answer[0]! & 0x0f) === 8 ? answer.readUInt16BE(2) : undefined
  const err = readErr as { code?: unknown, message?: unknown }
  console.log(`fragments [${path}]: ${FRAGMENTS} one-byte fragments (${mib(wire.length)} on the wire), sent ${mib(sent)}: ` +
    `server grew ${mib(after - before)} (${((after - before) / FRAGMENTS).toFixed(1)} B/fragment), close ${code ?? 'none'}, ` +
    `read ${typeof readErr === 'string' ? readErr : `${String(err.code)} (${String(err.message)})`}`)
  socket.destroy()
  await app.close()
}

async function writes (path: Path): Promise<void> {
  let refused = 0
  let refusedCode: unknown
  let resolveQueued!: () => void
  const queued = new Promise<void>((resolve) => { resolveQueued = resolve })
  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  const app = await start(path, async (conn) => {
    await conn.readMessage()
    for (let i = 0; i < WRITES; i++) {
      conn.writeMessage(BinaryMessage, Buffer.alloc(64 * 1024, i)).catch((err: { code?: unknown }) => {
        if (err.code === 'WS_COMPAT_ERR_WRITE_QUEUE_FULL') { refused++; refusedCode = err.code }
      })
    }
    resolveQueued()
    await held
    conn.close()
  })
  const { socket } = await rawClient(app.port)
  const before = await settledMemory()
  socket.pause() // never reads from here on
  socket.write(buildFrame({ opcode: BinaryMessage, payload: Buffer.from('go') }))
  await queued
  await sleep(300)
  const after = await settledMemory()
  console.log(`writes [${path}]: ${WRITES} unawaited 64 KiB writes to a client that never reads: server grew ` +
    `${mib(after - before)}, ${refused} refused${refused > 0 ? ` (${String(refusedCode)})` : ''}`)
  release()
  socket.destroy()
  await app.close()
}

const only = process.env.MEASURE_CASE
if (only === undefined) {
  for (const c of ['fragments', 'writes']) {
    for (const path of ['legacy', 'recommended']) {
      const out = execFileSync(process.execPath,
        ['--conditions=hertz-source', '--import', 'tsx', '--no-deprecation', fileURLToPath(import.meta.url)],
        { env: { ...process.env, MEASURE_CASE: `${c}:${path}`, MEASURE_FRAGMENTS: String(FRAGMENTS), MEASURE_WRITES: String(WRITES) } })
      process.stdout.write(out)
    }
  }
} else {
  const [c, path] = only.split(':') as ['fragments' | 'writes', Path]
  await (c === 'fragments' ? fragments(path) : writes(path))
}
