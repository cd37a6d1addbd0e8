import t from 'tap'
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
})
