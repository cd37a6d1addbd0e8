import t from 'tap'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server, type Scope } from '@hertz-node/router'
import { MemoryLogger } from '@hertz-node/test-kit/router'
import { tcpResources } from '@hertz-node/test-kit/raw-tcp'
import { echo } from '@hertz-node/test-kit/echo'
import { handler } from '@hertz-node/adaptor'
import { BinaryMessage, TextMessage } from '../constants.js'
import type { WsCompatError } from '../errors.js'
import type { BadHandshakeError } from './dialer.js'
import { injectWS } from './inject.js'
import { HertzUpgrader } from '../legacy/hertz-upgrader.js'
import { Upgrader } from './upgrader.js'

// injectWS: a client Conn to a router's WebSocket route over an in-memory connection, on both server paths.

/** A router with both paths, registered by a plugin (so they exist only once the plugins have loaded). */
function app (): ReturnType<typeof server.New> {
  const h = server.New()
  h.logger = new MemoryLogger()
  h.register((scope: Scope) => {
    const legacy = new HertzUpgrader({ subprotocols: ['chat'] })
    scope.GET('/legacy', async (_ctx, c) => {
      if (c.getHeader('Authorization') === '') {
        c.abortWithMsg('who are you', 401)
        return
      }
      try {
        await legacy.upgrade(c, echo)
      } catch {
        // refused: the answer is written
      }
    })
    const upgrader = new Upgrader({ subprotocols: ['chat'], checkOrigin: (req) => req.headers.origin !== 'http://evil.example' })
    scope.GET('/recommended', handler(async (req: IncomingMessage, res: ServerResponse) => {
      let conn
      try {
        conn = await upgrader.upgrade(req, res)
      } catch {
        return
      }
      await echo(conn)
    }))
  })
  return h
}

const AUTH = { Authorization: 'Bearer x' }

for (const path of ['/legacy', '/recommended']) {
  t.test(`injectWS ${path}: a client Conn that echoes text and binary, before run(), with no TCP handle`, async (t) => {
    const before = tcpResources()
    const h = app()
    const conn = await injectWS(h, path, { headers: AUTH, subprotocols: ['chat'] })
    t.equal(conn.subprotocol(), 'chat', 'the Dialer options apply')
    await conn.writeMessage(TextMessage, 'hello')
    t.same(await conn.readMessage(), [TextMessage, Buffer.from('hello')])
    await conn.writeMessage(BinaryMessage, Buffer.from([1, 2, 3]))
    t.same(await conn.readMessage(), [BinaryMessage, Buffer.from([1, 2, 3])])
    t.notOk(h.isRunning(), 'the engine was not started')
    t.equal(h.server, null)
    t.same(tcpResources(), before, 'no TCP handle was created')
    conn.close()
  })
}

async function refusal (p: Promise<unknown>): Promise<BadHandshakeError> {
  return (await p.then(() => { throw new Error('not refused') }, (err: unknown) => err)) as BadHandshakeError
}

t.test('injectWS: refusals reject with the status and the body', async (t) => {
  const h = app()
  const cases: Array<[string, Record<string, string>, number, RegExp]> = [
    ['/legacy', {}, 401, /^who are you$/],
    ['/recommended', { Origin: 'http://evil.example' }, 403, /Forbidden/],
    ['/nowhere', {}, 404, /^Not Found$/],
  ]
  for (const [path, headers, status, body] of cases) {
    const err = await refusal(injectWS(h, path, { headers }))
    t.equal((err as WsCompatError).code, 'WS_COMPAT_ERR_BAD_HANDSHAKE', `${path}: a bad handshake`)
    t.equal(err.status, status, `${path}: status ${status}`)
    t.equal(err.response.statusCode, status)
    t.match(err.body.toString(), body, `${path}: its body`)
  }
})

t.test('injectWS rejects with the router\'s error when a plugin fails to load', async (t) => {
  const h = server.New()
  h.register(() => { throw new Error('no db') })
  const err = await refusal(injectWS(h, '/ws'))
  t.match(err, { code: 'HERTZ_ERR_PLUGIN_FAILED' })
})

t.test('Dialer netDial: a connection it cannot open rejects the dial with WS_COMPAT_ERR_NET', async (t) => {
  const { Dialer } = await import('./dialer.js')
  const d = new Dialer({ netDial: () => Promise.reject(new Error('no route to the moon')) })
  const err = await refusal(d.dial('ws://moon.example/ws'))
  t.match(err, { code: 'WS_COMPAT_ERR_NET' })
})
