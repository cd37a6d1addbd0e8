/**
 * Section 4: graceful shutdown. A child process runs `spin()` with both WebSocket paths; with
 * `RELIABILITY_SHUTDOWN_WS` (default 1000) live WebSockets on each path, slow HTTP requests in flight and
 * idle keep-alive connections, it gets SIGTERM. Every WebSocket must get close 1001, every in-flight
 * request must complete with `Connection: close`, idle connections must be closed, and the process must
 * exit (code 0) within the exit wait time.
 * Run: `npx tap --disable-coverage reliability/src/shutdown.test.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import net from 'node:net'
import t, { type Test } from 'tap'
import { openEchoing } from './lib/load.js'
import { RawConn } from './lib/raw-client.js'
import { handshakeHeaders, rawRequest } from '@hertz-node/test-kit/handshake'
import { recordCounts } from './lib/report.js'
import { SPIN_FIXTURE } from '@hertz-node/test-kit/spin'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const perPath = Number(process.env.RELIABILITY_SHUTDOWN_WS ?? 1000)
const inflight = 20
const idle = 5
const exitWait = 3000
/**
 * Allowed on top of the exit wait time: the router starts its forced close when the exit wait time runs out,
 * and the process still has to tear down and its exit reach this process on a loaded 2-core machine (up to
 * about 0.4 s seen). The same slack bounds the waits for close frames and responses.
 */
const exitSlack = 1500
const command = 'npx tap --disable-coverage reliability/src/shutdown.test.ts'

interface Child {
  child: ChildProcess
  port: number
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null, at: number }>
  stdout: () => string
  stderr: () => string
  /** How many times the fixture printed `line` on a line of its own. */
  count: (line: string) => number
}

/** Spawns the fixture and waits for its port; killed at teardown if still running. */
async function startChild (t: Test): Promise<Child> {
  const child = spawn(process.execPath, ['--conditions=hertz-source', '--import', 'tsx', SPIN_FIXTURE], {
    cwd: root,
    env: { ...process.env, EXIT_WAIT: String(exitWait) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null, at: number }>(resolve =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })))
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  let out = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /READY (\d+)/.exec(out)
      if (m !== null) resolve(Number(m[1]))
    })
    void exited.then(() => reject(new Error(`child exited before READY: ${stderr}`)))
  })
  const count = (line: string): number => out.split('\n').filter(l => l === line).length
  return { child, port, exited, stdout: () => out, stderr: () => stderr, count }
}

/** Waits (at most 5 s) until `ok()` holds. */
async function until (ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!ok() && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
}

/** The close code each connection got, counted by code (`timeout`, `no close frame`). */
async function closeCodes (list: RawConn[]): Promise<Record<string, number>> {
  const codes: Record<string, number> = {}
  await Promise.all(list.map(async c => {
    const a = await c.readUntilClose(exitWait + exitSlack).catch(() => null)
    const key = a === null ? 'timeout' : String(a.closeCode ?? 'no close frame')
    codes[key] = (codes[key] ?? 0) + 1
  }))
  return codes
}

t.test(`SIGTERM with ${perPath} WebSockets per path and requests in flight`, async t => {
  const { child, port, exited, stderr: errText, count } = await startChild(t)
  const started = (): number => count('INFLIGHT')

  const conns: RawConn[] = []
  t.teardown(() => { for (const c of conns) c.destroy() })
  const legacy = await openEchoing(port, '/legacy', perPath, 64)
  const recommended = await openEchoing(port, '/recommended', perPath, 64)
  conns.push(...legacy, ...recommended)
  t.equal(legacy.length + recommended.length, 2 * perPath, 'all WebSockets open and echoing')

  const idlers: RawConn[] = []
  for (let i = 0; i < idle; i++) {
    const c = await RawConn.connect(port)
    c.write('GET /http HTTP/1.1\r\nHost: x\r\n\r\n')
    await c.response()
    idlers.push(c)
  }
  const slow: RawConn[] = []
  for (let i = 0; i < inflight; i++) {
    const c = await RawConn.connect(port)
    c.write('GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n')
    slow.push(c)
  }
  conns.push(...idlers, ...slow)
  await until(() => started() >= inflight)
  t.equal(started(), inflight, `${inflight} requests in flight`)

  const sigterm = Date.now()
  child.kill('SIGTERM')

  const [legacyCodes, recommendedCodes, responses] = await Promise.all([
    closeCodes(legacy),
    closeCodes(recommended),
    Promise.all(slow.map(c => c.response(exitWait + exitSlack).catch((err: Error) => err)))
  ])
  t.same(legacyCodes, { 1001: perPath }, 'every legacy WebSocket got close 1001')
  t.same(recommendedCodes, { 1001: perPath }, 'every recommended WebSocket got close 1001')
  const summary = responses.map(r => r instanceof Error ? `error: ${r.message}` : `${r.status} ${r.body.toString()} connection=${r.headers.connection?.join(',')}`)
  t.same([...new Set(summary)], ['200 slow done connection=close'], 'every in-flight request completed with Connection: close')
  const idleClosed = await Promise.all(idlers.map(c => c.waitClosed(exitWait + exitSlack)))
  t.same(idleClosed, idlers.map(() => true), 'idle keep-alive connections closed')

  const refused = await new Promise<boolean>(resolve => {
    const s = net.connect(port, '127.0.0.1')
    s.once('error', () => resolve(true))
    s.once('connect', () => { s.destroy(); resolve(false) })
  })
  t.ok(refused, 'no new connection accepted after SIGTERM')

  const exit = await Promise.race([exited, new Promise<null>(resolve => setTimeout(() => resolve(null), exitWait + exitSlack + 2000))])
  t.ok(exit !== null, 'the process exited')
  if (exit !== null) {
    t.same([exit.code, exit.signal], [0, null], 'exit code 0')
    t.ok(exit.at - sigterm <= exitWait + exitSlack, `exited ${exit.at - sigterm} ms after SIGTERM (exit wait time ${exitWait} ms)`)
  }
  t.notMatch(errText(), /Unhandled|uncaught|TypeError|ReferenceError/i, 'no crash output')

  const httpOk = summary.filter(s => s === '200 slow done connection=close').length
  recordCounts({ section: 'graceful shutdown', name: 'WebSocket gets 1001 (legacy)', path: 'legacy', tried: perPath, survived: legacyCodes['1001'] ?? 0, lost: perPath - (legacyCodes['1001'] ?? 0), command })
  recordCounts({ section: 'graceful shutdown', name: 'WebSocket gets 1001 (recommended)', path: 'recommended', tried: perPath, survived: recommendedCodes['1001'] ?? 0, lost: perPath - (recommendedCodes['1001'] ?? 0), command })
  recordCounts({ section: 'graceful shutdown', name: 'in-flight request completes with Connection: close', path: 'both', tried: inflight, survived: httpOk, lost: inflight - httpOk, command })
  const exitedInTime = exit !== null && exit.code === 0 && exit.at - sigterm <= exitWait + exitSlack
  recordCounts({ section: 'graceful shutdown', name: 'process exits within the exit wait time + 1.5 s slack', path: 'both', tried: 1, survived: exitedInTime ? 1 : 0, lost: exitedInTime ? 0 : 1, command })
})

t.test('a second SIGTERM during the shutdown, and handshakes held in a middleware at SIGTERM', async t => {
  const perPathHere = Math.min(perPath, 100)
  const inflightHere = 5
  const heldPerPath = 5
  const { child, port, exited, stdout, stderr, count } = await startChild(t)
  const conns: RawConn[] = []
  t.teardown(() => { for (const c of conns) c.destroy() })
  const legacy = await openEchoing(port, '/legacy', perPathHere, 64)
  const recommended = await openEchoing(port, '/recommended', perPathHere, 64)
  conns.push(...legacy, ...recommended)
  const slow: RawConn[] = []
  for (let i = 0; i < inflightHere; i++) {
    const c = await RawConn.connect(port)
    c.write('GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n')
    slow.push(c)
  }
  // Handshakes whose middleware is still waiting when the shutdown begins: their upgrade completes after it.
  const held: Record<'legacy' | 'recommended', RawConn[]> = { legacy: [], recommended: [] }
  for (const path of ['legacy', 'recommended'] as const) {
    for (let i = 0; i < heldPerPath; i++) {
      const c = await RawConn.connect(port)
      c.write(rawRequest(`GET /${path}?hold=1000 HTTP/1.1`, handshakeHeaders(`127.0.0.1:${port}`)))
      held[path].push(c)
    }
  }
  conns.push(...slow, ...held.legacy, ...held.recommended)
  await until(() => count('INFLIGHT') >= inflightHere && count('HELD') >= 2 * heldPerPath)
  t.equal(count('HELD'), 2 * heldPerPath, 'handshakes held in the middleware')

  const sigterm = Date.now()
  child.kill('SIGTERM')
  // Sent once the first was handled: two signals pending at once would be delivered as one.
  await until(() => /Begin graceful shutdown/.test(stdout()))
  child.kill('SIGTERM')
  await until(() => /during the graceful shutdown, ignored/.test(stderr()))
  t.match(stderr(), /Received signal: SIGTERM during the graceful shutdown, ignored/, 'the second SIGTERM was ignored')

  const refusal = async (c: RawConn): Promise<string> => {
    const r = await c.response(exitWait + exitSlack).catch((err: Error) => err)
    if (r instanceof Error) return `error: ${r.message}`
    const closedAfter = await c.waitClosed(exitWait + exitSlack)
    return `${r.status} connection=${r.headers.connection?.join(',')} closed=${String(closedAfter)}`
  }
  const [legacyCodes, recommendedCodes, responses, heldLegacy, heldRecommended] = await Promise.all([
    closeCodes(legacy),
    closeCodes(recommended),
    Promise.all(slow.map(c => c.response(exitWait + exitSlack).catch((err: Error) => err))),
    Promise.all(held.legacy.map(refusal)),
    Promise.all(held.recommended.map(refusal))
  ])
  t.same(legacyCodes, { 1001: perPathHere }, 'every legacy WebSocket got close 1001')
  t.same(recommendedCodes, { 1001: perPathHere }, 'every recommended WebSocket got close 1001')
  const summary = responses.map(r => r instanceof Error ? `error: ${r.message}` : `${r.status} ${r.body.toString()} connection=${r.headers.connection?.join(',')}`)
  t.same([...new Set(summary)], ['200 slow done connection=close'], 'every in-flight request completed with Connection: close')
  const refused = '503 connection=close closed=true'
  t.same([...new Set(heldLegacy)], [refused], 'held legacy handshakes refused with 503 and closed')
  t.same([...new Set(heldRecommended)], [refused], 'held recommended handshakes refused with 503 and closed')

  const exit = await Promise.race([exited, new Promise<null>(resolve => setTimeout(() => resolve(null), exitWait + exitSlack + 2000))])
  t.ok(exit !== null, 'the process exited')
  if (exit !== null) {
    t.same([exit.code, exit.signal], [0, null], 'exit code 0')
    t.ok(exit.at - sigterm <= exitWait + exitSlack, `exited ${exit.at - sigterm} ms after SIGTERM (exit wait time ${exitWait} ms)`)
  }
  t.notMatch(stderr(), /Unhandled|uncaught|TypeError|ReferenceError/i, 'no crash output')

  const name = 'after a second SIGTERM mid-shutdown'
  for (const [path, codes] of [['legacy', legacyCodes], ['recommended', recommendedCodes]] as const) {
    const got = codes['1001'] ?? 0
    recordCounts({ section: 'graceful shutdown', name: `WebSocket gets 1001 ${name}`, path, tried: perPathHere, survived: got, lost: perPathHere - got, command })
  }
  const httpOk = summary.filter(s => s === '200 slow done connection=close').length
  recordCounts({ section: 'graceful shutdown', name: `in-flight request completes with Connection: close ${name}`, path: 'both', tried: inflightHere, survived: httpOk, lost: inflightHere - httpOk, command })
  const exitedInTime = exit !== null && exit.code === 0 && exit.at - sigterm <= exitWait + exitSlack
  recordCounts({ section: 'graceful shutdown', name: `process exits 0 within the exit wait time + 1.5 s slack ${name}`, path: 'both', tried: 1, survived: exitedInTime ? 1 : 0, lost: exitedInTime ? 0 : 1, command })
  for (const [path, list] of [['legacy', heldLegacy], ['recommended', heldRecommended]] as const) {
    const ok = list.filter(s => s === refused).length
    recordCounts({ section: 'graceful shutdown', name: 'handshake held in a middleware at SIGTERM gets 503 + Connection: close', path, tried: heldPerPath, survived: ok, lost: heldPerPath - ok, command })
  }
})
