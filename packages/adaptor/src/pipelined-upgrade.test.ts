import t from 'tap'
import { createServer } from 'node:http'
import { WebSocket, WebSocketServer } from 'ws'
import * as adaptor from '@hertz-node/adaptor'
import { AdaptorError } from './errors.js'
import { New } from '@hertz-node/test-kit/router'
import { deferred } from '@hertz-node/test-kit/teardown'
import { listen, raw } from '@hertz-node/test-kit/raw-tcp'

// An upgrade request pipelined behind a keep-alive request reaches the 'upgrade' listener while node:http may
// still be writing the earlier response on the socket. Each answer must leave whole and in order, and nothing may
// throw out of the listener (node:http calls it from its parser: the process would exit).

const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='
const PIPELINED = 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n' +
  'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n\r\n`

/** A masked client text frame. */
function clientText (text: string): Buffer {
  const payload = Buffer.from(text)
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload])
}

t.test('toNodeUpgradeHandler: the upgrade is served after the slow response ahead of it', async (t) => {
  const wss = new WebSocketServer({ noServer: true })
  t.teardown(() => { wss.close() })
  const h = New()
  h.GET('/slow', async (_ctx, c) => {
    await new Promise((resolve) => setTimeout(resolve, 100))
    c.string(200, 'slow page')
  })
  h.GET('/ws', adaptor.handler((req, res) => {
    const { socket, head } = adaptor.hijack(res)
    wss.handleUpgrade(req, socket, head, (ws) => { ws.on('message', (data) => ws.send(data)) })
  }))
  const srv = createServer(adaptor.toNodeHandler(h))
  srv.on('upgrade', adaptor.toNodeUpgradeHandler(h))
  const port = await listen(t, srv)
  const c = await raw(t, port, PIPELINED)
  const text = await c.until(ACCEPT + '\r\n\r\n')
  t.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nslow page/, 'the slow answer first, whole')
  t.ok(text.indexOf('HTTP/1.1 101') > text.indexOf('slow page'), 'then the 101')
  c.socket.write(clientText('after'))
  await c.until('after')
  t.pass('the WebSocket echoes')
})

t.test('upgradeResponse while an earlier response owns the socket: hijack refuses, a refusal goes out after it', async (t) => {
  const seen = deferred<unknown>()
  const srv = createServer((_req, res) => {
    setTimeout(() => { res.end('slow page') }, 100)
  })
  srv.on('upgrade', (req, socket, head) => {
    const res = adaptor.upgradeResponse(req, socket, head)
    t.equal(adaptor.isHijackable(res), false, 'not hijackable while the page is being written')
    try {
      adaptor.hijack(res)
      seen.resolve(null)
    } catch (err) {
      seen.resolve(err)
      res.statusCode = 500
      res.end('busy')
    }
  })
  const port = await listen(t, srv)
  const c = await raw(t, port, PIPELINED)
  const err = await seen.promise
  t.ok(err instanceof AdaptorError, 'a typed error')
  t.equal((err as AdaptorError).code, 'ADAPTOR_ERR_NOT_HIJACKABLE')
  t.match((err as Error).message, /earlier response/)
  await c.closed
  const text = c.text()
  t.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nslow page/, 'the page first, whole')
  t.match(text.slice(text.indexOf('slow page')), /HTTP\/1\.1 500 Internal Server Error\r\n[^]*Connection: close\r\n[^]*busy$/, 'then the refusal, and the connection closes')
})

t.test('upgradeResponse: once the earlier response is out, the response is bound and the hijack works', async (t) => {
  const wss = new WebSocketServer({ noServer: true })
  t.teardown(() => { wss.close() })
  const srv = createServer((_req, res) => {
    setTimeout(() => { res.end('slow page') }, 50)
  })
  srv.on('upgrade', (req, socket, head) => {
    const res = adaptor.upgradeResponse(req, socket, head)
    const poll = setInterval(() => {
      if (!adaptor.isHijackable(res)) return
      clearInterval(poll)
      const taken = adaptor.hijack(res)
      wss.handleUpgrade(req, taken.socket, taken.head, (ws) => { ws.on('message', (data) => ws.send(data)) })
    }, 10)
  })
  const port = await listen(t, srv)
  const c = await raw(t, port, PIPELINED)
  const text = await c.until(ACCEPT + '\r\n\r\n')
  t.ok(text.indexOf('HTTP/1.1 101') > text.indexOf('slow page'), 'the page, then the 101')
  c.socket.write(clientText('later'))
  await c.until('later')
  t.pass('the WebSocket echoes')
  // A plain ws client still gets through on a fresh connection.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`)
  t.teardown(() => { ws.terminate() })
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
})
