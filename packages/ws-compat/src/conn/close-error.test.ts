import t from 'tap'
import { CloseError, formatCloseMessage, isCloseError, isUnexpectedCloseError, unexpectedEOF } from './close-error.js'
import * as c from '../constants.js'

t.test('CloseError prints like gorilla', async (t) => {
  const names: Array<[number, string]> = [
    [c.CloseNormalClosure, ' (normal)'],
    [c.CloseGoingAway, ' (going away)'],
    [c.CloseProtocolError, ' (protocol error)'],
    [c.CloseUnsupportedData, ' (unsupported data)'],
    [c.CloseNoStatusReceived, ' (no status)'],
    [c.CloseAbnormalClosure, ' (abnormal closure)'],
    [c.CloseInvalidFramePayloadData, ' (invalid payload data)'],
    [c.ClosePolicyViolation, ' (policy violation)'],
    [c.CloseMessageTooBig, ' (message too big)'],
    [c.CloseMandatoryExtension, ' (mandatory extension missing)'],
    [c.CloseInternalServerErr, ' (internal server error)'],
    [c.CloseTLSHandshake, ' (TLS handshake error)'],
    [c.CloseServiceRestart, ''],
    [c.CloseTryAgainLater, ''],
    [4000, ''],
  ]
  for (const [code, name] of names) {
    t.equal(new CloseError(code).message, `websocket: close ${code}${name}`)
    t.equal(new CloseError(code, 'why').message, `websocket: close ${code}${name}: why`)
  }
  t.equal(unexpectedEOF().message, 'websocket: close 1006 (abnormal closure): unexpected EOF')
  const err = new CloseError(1001, 'bye')
  t.equal(err.code, 1001)
  t.equal(err.text, 'bye')
  t.equal(err.name, 'CloseError')
  t.ok(err instanceof Error)
})

t.test('the constants have gorilla values', async (t) => {
  t.same(
    [c.TextMessage, c.BinaryMessage, c.CloseMessage, c.PingMessage, c.PongMessage],
    [1, 2, 8, 9, 10]
  )
  t.same(
    [
      c.CloseNormalClosure, c.CloseGoingAway, c.CloseProtocolError, c.CloseUnsupportedData, c.CloseReserved,
      c.CloseNoStatusReceived, c.CloseAbnormalClosure, c.CloseInvalidFramePayloadData, c.ClosePolicyViolation,
      c.CloseMessageTooBig, c.CloseMandatoryExtension, c.CloseInternalServerErr, c.CloseServiceRestart,
      c.CloseTryAgainLater, c.CloseBadGateway, c.CloseTLSHandshake,
    ],
    Array.from({ length: 16 }, (_, i) => 1000 + i)
  )
})

t.test('isCloseError and isUnexpectedCloseError', async (t) => {
  const normal = new CloseError(c.CloseNormalClosure)
  t.ok(isCloseError(normal, c.CloseGoingAway, c.CloseNormalClosure))
  t.notOk(isCloseError(normal, c.CloseGoingAway))
  t.notOk(isCloseError(normal))
  t.notOk(isCloseError(new Error('x'), c.CloseNormalClosure))
  t.notOk(isCloseError(undefined, c.CloseNormalClosure))
  t.ok(isUnexpectedCloseError(normal, c.CloseGoingAway))
  t.notOk(isUnexpectedCloseError(normal, c.CloseGoingAway, c.CloseNormalClosure))
  t.ok(isUnexpectedCloseError(normal))
  t.notOk(isUnexpectedCloseError(new Error('x')), 'other errors are not unexpected close errors')
})

t.test('formatCloseMessage', async (t) => {
  t.same([...formatCloseMessage(c.CloseNormalClosure, '')], [0x03, 0xe8])
  t.same([...formatCloseMessage(c.CloseGoingAway, 'ok')], [0x03, 0xe9, 0x6f, 0x6b])
  t.same([...formatCloseMessage(4000)], [0x0f, 0xa0])
  t.equal(formatCloseMessage(c.CloseNoStatusReceived, 'ignored').length, 0, 'no payload for 1005')
  t.equal(formatCloseMessage(1000, 'é').length, 4, 'the text is UTF-8')
})
