/**
 * Handshakes caught by a graceful shutdown, over raw sockets, on both router paths (`legacy`: HertzUpgrader
 * through `c.hijack`; `recommended`: Upgrader through `adaptor.handler`). An upgrade that completes once the
 * shutdown has begun is refused with 503 and `Connection: close`, whichever came first: the request (held in an
 * async middleware when the shutdown starts) or the shutdown (the request head still arriving). Either way the
 * shutdown finishes without waiting for its exit wait time.
 */
import t, { type Test } from 'tap'
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server, type Logger, type RequestContext } from '@hertz-node/router'
import { handler } from '@hertz-node/adaptor'
import type { Conn } from '../conn/conn.js'
import { HertzUpgrader } from '../legacy/hertz-upgrader.js'
import { Upgrader } from './upgrader.js'
import { echo } from '@hertz-node/test-kit/echo'
import { handshakeRequest } from '@hertz-node/test-kit/handshake'
import { parseResponse } from '@hertz-node/test-kit/http-response'
import { WsCompatErrorCode } from '../errors.js'
import { SHUTTING_DOWN } from './rules.js'

type Kind = 'legacy' | 'recommended'

class Lines implements Logger {
  text = ''
  info (...args: unknown[]): void { this.text += args.join(' ') + '\n' }
  warn (...args: unknown[]): void { this.text += args.join(' ') + '\n' }
  error (...args: unknown[]): void { this.text += 'error ' + args.join(' ') + '\n' }
}

/** Far beyond the test: a shutdown that reports "finished" did not wait for it. */
const EXIT_WAIT = 30_000

interface Gated {
  h: ReturnType<typeof server.New>
  port: number
  logger: Lines
  /** Resolves when a request has reached the gate middleware. */
  arrived: Promise<void>
  /** Lets the held request go on. */
  release: () => void
  /** Server-side sockets, in order of connection. */
  sockets: Socket[]
  /** What `upgrade()` rejected with. */
  rejections: unknown[]
}

/** A router whose `/echo` upgrades on `kind`, behind a middleware that holds each request until `release()`. */
async function startGated (t: Test, kind: Kind): Promise<Gated> {
  const h = server.New(server.withHostPorts('127.0.0.1:0'), server.withExitWaitTime(EXIT_WAIT))
  const logger = new Lines()
  h.logger = logger
  let arrive!: () => void
  const arrived = new Promise<void>((resolve) => { arrive = resolve })
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const rejections: unknown[] = []
  h.use(async (ctx, c) => {
    arrive()
    await gate
    await c.next(ctx)
  })
  if (kind === 'legacy') {
    const upgrader = new HertzUpgrader()
    h.GET('/echo', async (_ctx, c: RequestContext) => {
      await upgrader.upgrade(c, echo).catch((err: unknown) => { rejections.push(err) })
    })
  } else {
    const upgrader = new Upgrader()
    h.GET('/echo', handler(async (req: IncomingMessage, res: ServerResponse) => {
      let conn: Conn
      try {
        conn = await upgrader.upgrade(req, res)
      } catch (err) {
        rejections.push(err)
        return
      }
      await echo(conn)
    }))
  }
  await h.run()
  const sockets: Socket[] = []
  h.server!.on('connection', (s: Socket) => { sockets.push(s) })
  t.teardown(() => h.close())
  return { h, port: h.address().port, logger, arrived, release, sockets, rejections }
}

/**
 * Everything the server sends until it closes the connection. Bounded, so that a connection left open (a 101
 * and then silence) fails the test instead of outlasting it; the bound is not a timing assertion.
 */
function readToClose (s: Socket): Promise<{ bytes: Buffer; gaveUp: boolean }> {
  const chunks: Buffer[] = []
  let gaveUp = false
  s.on('data', (d: Buffer) => chunks.push(d))
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      gaveUp = true
      s.destroy()
    }, 5000)
    s.once('close', () => {
      clearTimeout(timer)
      resolve({ bytes: Buffer.concat(chunks), gaveUp })
    })
  })
}

async function open (t: Test, port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1')
  t.teardown(() => { s.destroy() })
  s.on('error', () => {})
  await once(s, 'connect')
  return s
}

function expectRefused (t: Test, g: Gated, { bytes, gaveUp }: { bytes: Buffer; gaveUp: boolean }): void {
  t.notOk(gaveUp, 'the server closed the connection')
  const parsed = parseResponse(bytes, true)
  t.ok(parsed, 'a complete HTTP response')
  if (parsed === null) return
  t.equal(parsed.value.status, 503, '503 Service Unavailable')
  t.same(parsed.value.headers.connection, ['close'], 'Connection: close')
  t.equal(parsed.used, bytes.length, 'nothing after the response (no WebSocket frames)')
  t.match(g.rejections, [{ code: WsCompatErrorCode.HANDSHAKE, status: 503, message: SHUTTING_DOWN }], 'upgrade() rejected')
}

for (const kind of ['legacy', 'recommended'] as const) {
  t.test(`a handshake held in a middleware when the shutdown begins is refused with 503 [${kind}]`, async (t) => {
    const g = await startGated(t, kind)
    const s = await open(t, g.port)
    const answer = readToClose(s)
    s.write(handshakeRequest())
    await g.arrived
    const done = g.h.shutdown()
    g.release()
    expectRefused(t, g, await answer)
    await done
    t.match(g.logger.text, /Graceful shutdown finished/, 'the shutdown did not wait for its exit wait time')
    t.notMatch(g.logger.text, /error/)
  })

  t.test(`a handshake whose head completes after the shutdown began is refused with 503 [${kind}]`, async (t) => {
    const g = await startGated(t, kind)
    g.release()
    const s = await open(t, g.port)
    const answer = readToClose(s)
    const request = handshakeRequest()
    const cut = request.indexOf('Upgrade:')
    s.write(request.slice(0, cut))
    // The server has read part of the head: the shutdown leaves the connection to finish its request.
    while (g.sockets[0] === undefined || g.sockets[0].bytesRead === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const done = g.h.shutdown()
    s.write(request.slice(cut))
    expectRefused(t, g, await answer)
    await done
    t.match(g.logger.text, /Graceful shutdown finished/, 'the shutdown did not wait for its exit wait time')
    t.notMatch(g.logger.text, /error/)
  })
}
