import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import express from 'express'
import { WebSocket, WebSocketServer } from 'ws'
import * as adaptor from '@hertz-node/adaptor'
import { AdaptorError } from './errors.js'
import { MemoryLogger, New, listen, raw } from './test-util/serve.js'

function echoRouter() {
  const h = New()
  h.logger = new MemoryLogger()
  const wss = new WebSocketServer({ noServer: true })
  h.GET('/hello/:name', (ctx, c) => { c.string(200, 'hello %s', c.param('name')) })
  h.POST('/echo', async (ctx, c) => { c.data(200, 'application/octet-stream', await c.body()) })
  h.GET('/node', adaptor.handler((req, res) => { res.end(`node ${req.url}`) }))
  h.GET('/ws', adaptor.handler((req, res) => {
    const { socket, head } = adaptor.hijack(res)
    wss.handleUpgrade(req, socket, head, (ws) => { ws.on('message', (d) => ws.send(`echo ${String(d)}`)) })
  }))
  h.GET('/boom', () => { throw new Error('boom') })
  return { h, wss }
}

t.test('bad engines are refused with ADAPTOR_ERR_BAD_ENGINE', async (t) => {
  for (const make of [adaptor.toNodeHandler, adaptor.toNodeUpgradeHandler]) {
    for (const bad of [null, undefined, {}, () => {}, 'h']) {
      let caught: unknown
      try { make(bad as never) } catch (err) { caught = err }
      t.ok(caught instanceof AdaptorError, `${make.name}(${typeof bad})`)
      t.equal((caught as AdaptorError).code, 'ADAPTOR_ERR_BAD_ENGINE')
    }
  }
})

t.test('a plain http.createServer serves the router; the upgrade helper carries WebSockets', async (t) => {
  const { h, wss } = echoRouter()
  t.teardown(() => { wss.close() })
  const server = createServer(adaptor.toNodeHandler(h))
  server.on('upgrade', adaptor.toNodeUpgradeHandler(h))
  const port = await listen(t, server)
  const url = `http://127.0.0.1:${port}`

  t.equal(await (await fetch(url + '/hello/gopher')).text(), 'hello gopher')
  t.equal(await (await fetch(url + '/echo', { method: 'POST', body: 'bytes' })).text(), 'bytes')
  t.equal(await (await fetch(url + '/node?x=1')).text(), 'node /node?x=1')
  const missing = await fetch(url + '/nope')
  t.equal(missing.status, 404)
  t.equal(await missing.text(), 'Not Found')
  const boom = await fetch(url + '/boom')
  t.equal(boom.status, 500, 'an escaping error is answered by the engine')
  await boom.text()

  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`)
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  ws.send('hi')
  const [msg] = await once(ws, 'message') as [Buffer]
  t.equal(String(msg), 'echo hi')
  ws.close()
  await once(ws, 'close')

  // An upgrade for a route that does not upgrade gets the ordinary answer, then the socket closes.
  const c = await raw(t, port, 'GET /hello/x HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
  await c.closed
  t.match(c.text(), /^HTTP\/1\.1 200 OK\r\n[^]*hello x$/)
})

t.test('mounted inside express: below the mount path, next to express routes', async (t) => {
  const { h, wss } = echoRouter()
  t.teardown(() => { wss.close() })
  const app = express()
  app.get('/health', (_req, res) => { res.send('express ok') })
  app.use('/api', adaptor.toNodeHandler(h))
  const server = createServer(app)
  server.on('upgrade', adaptor.toNodeUpgradeHandler(h))
  const port = await listen(t, server)
  const url = `http://127.0.0.1:${port}`
  t.equal(await (await fetch(url + '/health')).text(), 'express ok')
  t.equal(await (await fetch(url + '/api/hello/express')).text(), 'hello express')
  t.equal(await (await fetch(url + '/api/echo', { method: 'POST', body: 'through express' })).text(), 'through express')
  const r = await fetch(url + '/api/missing')
  t.equal(r.status, 404, 'the router answers what it is given')
  await r.text()
})
