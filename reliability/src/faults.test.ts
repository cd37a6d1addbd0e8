/**
 * Section 3b: faults. Slow readers on both sides (memory stays bounded, write timeouts fire), slowloris
 * headers (cut by the header timeout), and handler errors (sync throw, rejection, throw inside the hijack /
 * WebSocket handler, throw before the upgrade). After each: no uncaught error, the server still serves, and
 * handles, sockets and listeners are back to baseline.
 * Run: `npx tap --disable-coverage reliability/src/faults.test.ts`.
 */
import t from 'tap'
import type { Test } from 'tap'
import { Op } from './lib/frames.js'
import { buildFrame } from '@hertz-node/test-kit/frames'
import { describeMatrix, startFor, type PathDef } from './lib/matrix.js'
import { RawConn, RawPool } from './lib/raw-client.js'
import { handshakeHeaders, rawRequest } from '@hertz-node/test-kit/handshake'
import { recordOutcome } from './lib/report.js'
import { CrashWatch, settleToBaseline, snapshot } from './lib/resources.js'
import { readHeaderTimeoutOption } from './lib/router-apps.js'
import type { ServerUnderTest } from './lib/app-types.js'

const command = 'npx tap --disable-coverage reliability/src/faults.test.ts'
const MiB = 1024 * 1024

async function upgrade (pool: RawPool, app: ServerUnderTest, path = app.wsPath): Promise<RawConn> {
  const conn = await pool.connect(app.port)
  conn.write(rawRequest(`GET ${path} HTTP/1.1`, handshakeHeaders(app.host)))
  const res = await conn.response()
  if (res.status !== 101) throw new Error(`handshake to ${path} answered ${res.status}`)
  return conn
}

async function until (cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() >= deadline) return false
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return true
}

async function stillServing (t: Test, pool: RawPool, app: ServerUnderTest): Promise<boolean> {
  const probe = await pool.connect(app.port)
  probe.write('GET /http HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const res = await probe.response(3000).catch(() => null)
  return t.same([res?.status, res?.body.toString()], [200, 'ok'], 'server still serving')
}

/** Runs one fault scenario with the crash watch, the baseline check and the outcome record around it. */
function scenario (name: string, opts: Parameters<PathDef['start']>[0], body: (t: Test, app: ServerUnderTest, pool: RawPool) => Promise<boolean>): void {
  describeMatrix(t, name, async (t, path) => {
    const app = await startFor(t, path, opts)
    const pool = new RawPool()
    t.teardown(() => pool.destroyAll())
    const base = snapshot(app.emitters)
    const watch = new CrashWatch().start()
    let ok = await body(t, app, pool)
    ok = (await stillServing(t, pool, app)) && ok
    ok = t.same(watch.stop(), [], 'no uncaught error or unhandled rejection') && ok
    pool.destroyAll()
    ok = (await until(() => app.liveConns() === 0, 5000)) && ok
    const diff = await settleToBaseline(base, app.emitters)
    ok = t.same(diff, [], 'handles, sockets and listeners back to baseline') && ok
    recordOutcome('load and faults', name, path.name, ok, command)
  })
}

scenario('slow reader: the client stops reading while the server writes', { writeTimeoutMs: 500 }, async (t, app, pool) => {
  const conn = await upgrade(pool, app)
  const before = process.memoryUsage()
  conn.write(buildFrame({ opcode: Op.Text, payload: Buffer.from('flood') }))
  conn.socket.pause()
  const started = Date.now()
  await until(() => app.handlerErrors.length > 0, 10_000)
  const err = app.handlerErrors[0] as { code?: string, timeout?: boolean, cause?: { code?: string } } | undefined
  let ok = t.ok(err !== undefined, `the flooding write failed after ${Date.now() - started} ms (write timeout 500 ms)`)
  ok = t.same({ code: err?.code, timeout: err?.timeout }, { code: 'WS_COMPAT_ERR_WRITE_TIMEOUT', timeout: true },
    `the write failed with the write-timeout error (cause: ${err?.cause?.code ?? 'none'})`) && ok
  const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers
  ok = t.ok(app.flooded() < 48 * MiB, `the server handed ${(app.flooded() / MiB).toFixed(1)} MiB to a socket nobody reads (bounded by socket buffers)`) && ok
  ok = t.ok(grown < 96 * MiB, `buffer memory grew ${(grown / MiB).toFixed(1)} MiB`) && ok
  ok = t.ok(await until(() => app.liveConns() === 0, 5000), 'the connection ended on the server') && ok
  conn.socket.resume()
  ok = t.ok(await conn.waitClosed(5000), 'the client sees the socket closed') && ok
  return ok
})

scenario('slow reader: the handler stops reading while the client floods', {}, async (t, app, pool) => {
  const conn = await upgrade(pool, app)
  conn.write(buildFrame({ opcode: Op.Text, payload: Buffer.from('hold') }))
  const frame = buildFrame({ opcode: Op.Binary, payload: Buffer.alloc(64 * 1024, 0x61) })
  const before = process.memoryUsage()
  const socket = conn.socket
  const cap = 256 * MiB
  const stopAt = Date.now() + 8000
  let stalled = false
  while (socket.bytesWritten < cap && Date.now() < stopAt) {
    if (socket.write(frame)) continue
    // Backpressure: the server stopped taking bytes if no drain comes within a second.
    const drained = await new Promise<boolean>(resolve => {
      const timer = setTimeout(() => { socket.off('drain', onDrain); resolve(false) }, 1000)
      const onDrain = (): void => { clearTimeout(timer); resolve(true) }
      socket.once('drain', onDrain)
    })
    if (!drained) { stalled = true; break }
  }
  const accepted = socket.bytesWritten - socket.writableLength
  const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers
  let ok = t.ok(stalled, `the server stopped reading (flow control reached the client after ${(accepted / MiB).toFixed(1)} MiB)`)
  ok = t.ok(accepted < 48 * MiB, 'bytes accepted by the server side are bounded by its queue and socket buffers') && ok
  ok = t.ok(grown < 96 * MiB, `buffer memory grew ${(grown / MiB).toFixed(1)} MiB`) && ok
  conn.destroy()
  app.release()
  ok = t.ok(await until(() => app.liveConns() === 0, 5000), 'the handler finished once the client left') && ok
  return ok
})

scenario('slowloris: handshake headers trickled one byte at a time', { serverOptions: [readHeaderTimeoutOption(1000)] }, async (t, app) => {
  const conn = await RawConn.connect(app.port)
  t.teardown(() => conn.destroy())
  const bytes = Buffer.from(rawRequest(`GET ${app.wsPath} HTTP/1.1`, handshakeHeaders(app.host)))
  const started = Date.now()
  void conn.writeSlowly([...bytes].map(b => Buffer.from([b])), 100)
  const cut = await conn.waitEnded(8000)
  const elapsed = Date.now() - started
  let ok = t.ok(cut, `the server cut the connection after ${elapsed} ms (header timeout 1000 ms)`)
  ok = t.ok(elapsed < 8000, 'before the request could complete') && ok
  const head = conn.pending().toString('latin1')
  ok = t.ok(head === '' || /^HTTP\/1\.1 408 /.test(head), `nothing or a 408 was answered: ${JSON.stringify(head.slice(0, 40))}`) && ok
  return ok
})

scenario('handler error: sync throw in a route', {}, async (t, app, pool) => {
  const c = await pool.connect(app.port)
  c.write('GET /http/throw HTTP/1.1\r\nHost: x\r\n\r\n')
  const res = await c.response()
  let ok = t.equal(res.status, 500, '500')
  c.write('GET /http HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  ok = t.equal((await c.response().catch(() => null))?.status, 200, 'the same keep-alive connection serves the next request') && ok
  return ok
})

scenario('handler error: rejection in a route', {}, async (t, app, pool) => {
  const c = await pool.connect(app.port)
  c.write('GET /http/reject HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  return t.equal((await c.response()).status, 500, '500')
})

scenario('handler error: throw before the upgrade', {}, async (t, app, pool) => {
  const c = await pool.connect(app.port)
  c.write(rawRequest(`GET ${app.wsPath}/early HTTP/1.1`, handshakeHeaders(app.host)))
  let ok = t.equal((await c.response()).status, 500, '500 on the upgrade socket')
  ok = t.ok(await c.waitClosed(3000), 'socket closed') && ok
  return ok
})

scenario('handler error: throw inside the WebSocket (hijack) handler', {}, async (t, app, pool) => {
  const c = await upgrade(pool, app, `${app.wsPath}/throw`)
  const ok = t.ok(await c.waitClosed(3000), 'socket closed when the handler threw')
  return t.ok(app.handlerErrors.some(e => /threw after the upgrade/.test(String(e))), 'the handler ran') && ok
})

scenario('handler error: rejection inside the WebSocket (hijack) handler', {}, async (t, app, pool) => {
  const c = await upgrade(pool, app, `${app.wsPath}/reject`)
  c.write(buildFrame({ opcode: Op.Text, payload: Buffer.from('go') }))
  return t.ok(await c.waitClosed(3000), 'socket closed when the handler rejected')
})
