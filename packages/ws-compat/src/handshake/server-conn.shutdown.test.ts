/**
 * Graceful shutdown of live connections: the engine asks every upgraded socket to say goodbye, and a server
 * `Conn` answers with a close frame 1001 "going away" - on both upgraders, and through `spin()` on SIGTERM.
 */
import t, { type Test } from 'tap'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import WebSocket from 'ws'
import type { Logger } from '@hertz-node/router'
import { CloseGoingAway } from '../constants.js'
import { spinApp, type SpinApp } from '@hertz-node/test-kit/spin'
import { startUpgraderServer, type MatrixOptions, type UpgraderKind } from '@hertz-node/test-kit/matrix'

class Lines implements Logger {
  text = ''
  info (...args: unknown[]): void { this.text += args.join(' ') + '\n' }
  warn (...args: unknown[]): void { this.text += args.join(' ') + '\n' }
  error (...args: unknown[]): void { this.text += 'error ' + args.join(' ') + '\n' }
}

async function openEcho (t: Test, url: string): Promise<WebSocket> {
  const ws = new WebSocket(url)
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  ws.send('ping')
  const [data] = (await once(ws, 'message')) as [Buffer]
  t.equal(data.toString(), 'ping', 'echoing before the shutdown')
  return ws
}

function closeCode (ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code: number) => resolve(code)))
}

async function shutdownCase (t: Test, kind: UpgraderKind, opts: MatrixOptions = {}): Promise<void> {
  const srv = await startUpgraderServer(t, kind, opts)
  const h = srv.engine!
  const logger = new Lines()
  h.logger = logger
  const sockets = [await openEcho(t, srv.url()), await openEcho(t, srv.url())]
  const codes = sockets.map(closeCode)
  await h.shutdown()
  t.same(await Promise.all(codes), [CloseGoingAway, CloseGoingAway], 'every client got close 1001')
  t.match(logger.text, /Graceful shutdown finished/, 'the connections closed before the exit wait time')
  t.notMatch(logger.text, /error/)
}

for (const kind of ['legacy', 'recommended'] as const) {
  t.test(`h.shutdown() closes live WebSockets with 1001 [${kind}]`, (t) => shutdownCase(t, kind))

  t.test(`an application that stops reading still gets its peer 1001 [${kind}]`, async (t) => {
    const srv = await startUpgraderServer(t, kind, { onConn: () => new Promise<void>(() => {}) })
    const h = srv.engine!
    const logger = new Lines()
    h.logger = logger
    const ws = new WebSocket(srv.url())
    t.teardown(() => ws.terminate())
    await once(ws, 'open')
    const code = closeCode(ws)
    await h.shutdown()
    t.equal(await code, CloseGoingAway)
    t.match(logger.text, /Graceful shutdown finished/, 'the bounded wait for the close handshake ended it')
  })
}

function readAll (s: Socket): Promise<string> {
  let text = ''
  s.on('data', (d: Buffer) => (text += d.toString('latin1')))
  return new Promise((resolve) => s.once('close', () => resolve(text)))
}

async function waitOutput (app: SpinApp, re: RegExp): Promise<void> {
  while (!re.test(app.out())) {
    if (app.child.exitCode !== null || app.child.signalCode !== null) throw new Error(`exited without ${String(re)}: ${app.out()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

for (const signals of [1, 2]) {
  const title = signals === 1
    ? 'spin: SIGTERM with live WebSockets on both paths and a request in flight'
    : 'spin: a second SIGTERM during the shutdown, with live WebSockets on both paths and a request in flight'
  t.test(title, (t) => spinCase(t, signals))
}

async function spinCase (t: Test, signals: number): Promise<void> {
  const exitWait = 5000
  // A second signal must find the shutdown still running: the request in flight holds it up meanwhile.
  const app = await spinApp(t, { EXIT_WAIT: String(exitWait), SLOW_MS: signals === 1 ? '500' : '1500' })
  const base = `ws://127.0.0.1:${app.port}`
  const sockets: WebSocket[] = []
  for (const path of ['/legacy', '/recommended']) {
    for (let i = 0; i < 3; i++) sockets.push(await openEcho(t, base + path))
  }
  const codes = sockets.map(closeCode)
  const http = connect(app.port, '127.0.0.1')
  t.teardown(() => http.destroy())
  await once(http, 'connect')
  const answer = readAll(http)
  http.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  while (!app.out().includes('INFLIGHT')) await new Promise((resolve) => setTimeout(resolve, 10))
  app.child.kill('SIGTERM')
  if (signals === 2) {
    // Sent once the first was handled: two signals pending at once would be delivered as one.
    await waitOutput(app, /Begin graceful shutdown/)
    app.child.kill('SIGTERM')
    await waitOutput(app, /Received signal: SIGTERM during the graceful shutdown, ignored/)
  }
  t.same(await Promise.all(codes), sockets.map(() => CloseGoingAway), 'every WebSocket got close 1001')
  const text = await answer
  t.match(text, /^HTTP\/1\.1 200 OK\r\n/)
  t.match(text, /\r\nConnection: close\r\n/i, 'the in-flight request finished with Connection: close')
  t.match(text, /\r\n\r\nslow done$/, 'with its complete body')
  t.equal(await app.exited, 0)
  t.match(app.out(), /Graceful shutdown finished/, 'everything closed within the exit wait time')
  t.notMatch(app.out(), /timed out|error=/)
}
