import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import express from 'express'
import { WebSocket, WebSocketServer } from 'ws'
import * as adaptor from '@hertz-node/adaptor'
import type { Hertz } from '@hertz-node/router'
import { AdaptorError } from './errors.js'
import { MemoryLogger, New } from '@hertz-node/test-kit/router'
import { deferred, waitFor, type Teardown } from '@hertz-node/test-kit/teardown'
import { listen, raw } from '@hertz-node/test-kit/raw-tcp'

function echoRouter () {
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
    // Something that serves but cannot be started (no mount/isRunning) is no engine either.
    for (const bad of [null, undefined, {}, () => {}, 'h', { handleRequest () {}, handleUpgrade () {} }]) {
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

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ=='
const UPGRADE = 'GET /p/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${WS_KEY}\r\n\r\n`

/** A router whose routes all come from a plugin, plus an onRun hook that counts its runs (and may be held). */
function pluginRouter (t: Teardown, gate: Promise<void> = Promise.resolve()): { h: Hertz, runs: () => number, hits: { hello: number, ws: number } } {
  const h = New()
  h.logger = new MemoryLogger()
  const wss = new WebSocketServer({ noServer: true })
  t.teardown(() => { wss.close() })
  let runs = 0
  let ready = 'no'
  const hits = { hello: 0, ws: 0 }
  h.onRun.push(async () => {
    runs++
    await gate
    ready = 'yes'
  })
  h.register(async (scope) => {
    scope.GET('/hello', (ctx, c) => {
      hits.hello++
      c.string(200, 'plugin hello, onRun done: %s', ready)
    })
    scope.GET('/ws', adaptor.handler((req, res) => {
      hits.ws++
      const { socket, head } = adaptor.hijack(res)
      wss.handleUpgrade(req, socket, head, (ws) => { ws.on('message', (d) => ws.send(`plugin echo ${String(d)}`)) })
    }))
  }, { prefix: '/p' })
  return { h, runs: () => runs, hits }
}

async function wsEcho (t: Teardown, url: string, text: string): Promise<string> {
  const ws = new WebSocket(url)
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  ws.send(text)
  const [msg] = await once(ws, 'message') as [Buffer]
  ws.close()
  await once(ws, 'close')
  return String(msg)
}

t.test('http.createServer: plugin routes answer and onRun hooks have run, for plain and upgrade requests', async (t) => {
  for (const first of ['request', 'upgrade'] as const) {
    t.test(`the first request is ${first === 'request' ? 'a plain one' : 'an upgrade'}`, async (t) => {
      const { h, runs } = pluginRouter(t)
      const server = createServer(adaptor.toNodeHandler(h))
      server.on('upgrade', adaptor.toNodeUpgradeHandler(h))
      const port = await listen(t, server)
      t.notOk(h.isRunning(), 'nothing starts the engine before a request comes')
      const ws = (): Promise<string> => wsEcho(t, `ws://127.0.0.1:${port}/p/ws`, first)
      const get = async (): Promise<string> => await (await fetch(`http://127.0.0.1:${port}/p/hello`)).text()
      if (first === 'upgrade') t.equal(await ws(), 'plugin echo upgrade')
      t.equal(await get(), 'plugin hello, onRun done: yes')
      if (first === 'request') t.equal(await ws(), 'plugin echo request')
      t.equal(runs(), 1, 'the engine started once, for both listeners')
      t.ok(h.isRunning())
      t.equal((h.logger as MemoryLogger).text(), '', 'nothing was logged')
    })
  }
})

t.test('express: a plugin route below the mount path, onRun hooks run, WebSocket through the upgrade helper', async (t) => {
  const { h, runs } = pluginRouter(t)
  const app = express()
  app.get('/health', (_req, res) => { res.send('express ok') })
  app.use('/api', adaptor.toNodeHandler(h))
  const server = createServer(app)
  server.on('upgrade', adaptor.toNodeUpgradeHandler(h))
  const port = await listen(t, server)
  const url = `http://127.0.0.1:${port}`
  t.equal(await (await fetch(url + '/health')).text(), 'express ok')
  t.notOk(h.isRunning(), 'an express route alone does not start the router')
  t.equal(await (await fetch(url + '/api/p/hello')).text(), 'plugin hello, onRun done: yes')
  t.equal(await wsEcho(t, `ws://127.0.0.1:${port}/p/ws`, 'through express'), 'plugin echo through express')
  t.equal(runs(), 1)
})

t.test('requests that arrive while the engine starts wait for it; the start happens once', async (t) => {
  const gate = deferred()
  const { h, runs, hits } = pluginRouter(t, gate.promise)
  const server = createServer(adaptor.toNodeHandler(h))
  server.on('upgrade', adaptor.toNodeUpgradeHandler(h))
  const port = await listen(t, server)
  const answers = [1, 2, 3].map(async () => await (await fetch(`http://127.0.0.1:${port}/p/hello`)).text())
  const c = await raw(t, port, UPGRADE)
  // Clients that give up while they wait: a plain request is dropped; an upgrade socket, which nobody reads while
  // it waits, learns of the FIN only once served, and then settles as any upgrade whose client left.
  const gone = await raw(t, port, 'GET /p/hello HTTP/1.1\r\nHost: x\r\n\r\n')
  const goneUpgrade = await raw(t, port, UPGRADE)
  await new Promise((resolve) => setTimeout(resolve, 30))
  gone.socket.destroy()
  goneUpgrade.socket.destroy()
  await new Promise((resolve) => setTimeout(resolve, 30))
  t.equal(runs(), 1, 'the start is under way')
  t.equal(c.text(), '', 'the upgrade is held: nothing answered yet')
  t.notOk(h.isRunning())
  gate.resolve()
  t.same(await Promise.all(answers), Array(3).fill('plugin hello, onRun done: yes'))
  t.match(await c.until('\r\n\r\n'), /^HTTP\/1\.1 101 Switching Protocols\r\n/)
  t.equal(runs(), 1)
  t.same(hits, { hello: 3, ws: 2 }, 'the plain request of the client that left never entered the engine')
  c.socket.destroy()
  await waitFor(() => h.activeRequests === 0)
  t.equal(h.activeRequests, 0, 'both upgrades settled')
})

t.test('an engine that fails to start: every request answered 500, logged once through h.logger', async (t) => {
  const h = New()
  const logger = new MemoryLogger()
  h.logger = logger
  let loads = 0
  h.register(async function brokenPlugin () {
    loads++
    throw new Error('database unreachable')
  })
  h.GET('/x', (ctx, c) => { c.string(200, 'never') })
  const server = createServer(adaptor.toNodeHandler(h))
  server.on('upgrade', adaptor.toNodeUpgradeHandler(h))
  const port = await listen(t, server)
  for (let i = 0; i < 2; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/x`)
    t.equal(r.status, 500)
    t.equal(await r.text(), 'Internal Server Error')
  }
  const c = await raw(t, port, UPGRADE)
  await c.closed
  t.match(c.text(), /^HTTP\/1\.1 500 Internal Server Error\r\n[^]*Connection: close\r\n[^]*Internal Server Error$/)
  t.equal(loads, 1, 'the failed start is not retried')
  t.notOk(h.isRunning())
  t.equal(logger.lines.length, 1, 'one log line')
  t.match(logger.text(), /^error adaptor: the router could not start[^]*brokenPlugin[^]*caused by: Error: database unreachable/)
})

t.test('an engine started by the application is served as it is, even while its start is still running', async (t) => {
  const gate = deferred()
  const { h, runs } = pluginRouter(t, gate.promise)
  const server = createServer(adaptor.toNodeHandler(h))
  server.on('upgrade', adaptor.toNodeUpgradeHandler(h))
  const port = await listen(t, server)
  const mounted = h.mount(server)
  const answer = fetch(`http://127.0.0.1:${port}/p/hello`).then(async (r) => await r.text())
  await new Promise((resolve) => setTimeout(resolve, 40))
  gate.resolve()
  await mounted
  t.equal(await answer, 'plugin hello, onRun done: yes', 'the request waited for the application\'s start')
  t.equal(runs(), 1)
  t.equal(await (await fetch(`http://127.0.0.1:${port}/p/hello`)).text(), 'plugin hello, onRun done: yes')
  t.equal((h.logger as MemoryLogger).text(), '')
  await h.unmount()
})

t.test('unmount of an engine served by toNodeHandler: an in-flight Node answer says Connection: close', async (t) => {
  const h = New()
  h.logger = new MemoryLogger()
  const entered: Array<() => void> = []
  const gate = deferred()
  h.GET('/slow', adaptor.handler(async (_req, res) => {
    await new Promise<void>((resolve) => { entered.push(resolve) })
    await gate.promise
    res.end('bye')
  }))
  const server = createServer(adaptor.toNodeHandler(h))
  const port = await listen(t, server)
  const hooks = h.onShutdown.length
  const clients = await Promise.all([1, 2, 3].map(() => raw(t, port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')))
  while (entered.length < 3) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(h.onShutdown.length, hooks, 'no shutdown hook is added: the engine itself marks the answers in flight, however many')
  const down = h.unmount()
  for (const resolve of entered) resolve()
  gate.resolve()
  for (const c of clients) {
    await c.closed
    t.match(c.text(), /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n[^]*\r\n\r\n(bye|3\r\nbye\r\n0\r\n\r\n)$/)
  }
  await down
  t.equal(h.onShutdown.length, hooks)
})
