import t from 'tap'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as ws from '@hertz-node/ws-compat'

t.test('the package exports the gorilla-style API', async (t) => {
  for (const name of [
    'Conn', 'newServerConn', 'Dialer', 'DefaultDialer', 'PreparedMessage', 'newPreparedMessage', 'MessageWriter',
    'CloseError', 'isCloseError', 'isUnexpectedCloseError', 'formatCloseMessage', 'WsCompatError',
    'WsCompatErrorCode', 'ErrCloseSent', 'ErrReadLimit', 'ErrBadHandshake', 'TCPAddr', 'Upgrader', 'HertzUpgrader',
  ]) {
    t.ok(name in ws, name)
  }
  t.equal(ws.TextMessage, 1)
  t.equal(ws.CloseTLSHandshake, 1015)
  t.equal(ws.ErrCloseSent.message, 'websocket: close sent')
  t.equal(ws.ErrReadLimit.code, 'WS_COMPAT_ERR_READ_LIMIT')
  t.equal(ws.ErrBadHandshake.message, 'websocket: bad handshake')
  t.equal(ws.HertzUpgraderDeprecationCode, 'WS_COMPAT_DEP_HERTZ_UPGRADER')
  t.notOk(Object.values(ws.WsCompatErrorCode).some((code) => !code.startsWith('WS_COMPAT_ERR_')), 'every error code has the prefix')
})

t.test('the type of a refused dial, BadHandshakeError, is exported with its response and body', async (t) => {
  const srv = createServer((_req, res) => { res.writeHead(403, { 'content-type': 'text/plain' }).end('go away') })
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  t.teardown(() => new Promise((resolve) => srv.close(resolve)))
  const url = `ws://127.0.0.1:${(srv.address() as AddressInfo).port}/`
  const err = (await ws.DefaultDialer.dial(url).catch((e: unknown) => e)) as ws.BadHandshakeError
  t.ok(err instanceof ws.WsCompatError, 'the dial was refused')
  t.equal(err.code, ws.ErrBadHandshake.code)
  t.equal(err.response.statusCode, 403)
  t.equal(err.body.toString(), 'go away')
})
