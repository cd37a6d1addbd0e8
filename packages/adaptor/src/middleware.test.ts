import t from 'tap'
import cors from 'cors'
import express from 'express'
import type { IncomingMessage } from 'node:http'
import { once } from 'node:events'
import { WebSocket, WebSocketServer } from 'ws'
import * as adaptor from '@hertz-node/adaptor'
import { AdaptorError } from './errors.js'
import { Default, New, start } from '@hertz-node/test-kit/router'
import { raw } from '@hertz-node/test-kit/raw-tcp'

t.test('a non-function is refused with ADAPTOR_ERR_BAD_HANDLER', async (t) => {
  let caught: unknown
  try { adaptor.middleware('cors' as never) } catch (err) { caught = err }
  t.ok(caught instanceof AdaptorError)
  t.equal((caught as AdaptorError).code, 'ADAPTOR_ERR_BAD_HANDLER')
})

t.test('cors through adaptor.middleware: simple requests get the headers, a preflight is answered by cors', async (t) => {
  const h = New()
  let handled = 0
  h.use(adaptor.middleware(cors({ origin: 'https://app.example', methods: ['GET', 'PUT'], maxAge: 600 })))
  h.GET('/data', (ctx, c) => { handled++; c.json(200, { ok: true }) })
  h.PUT('/data', (ctx, c) => { handled++; c.json(200, { put: true }) })
  const { url } = await start(t, h)

  const r = await fetch(url + '/data', { headers: { Origin: 'https://app.example' } })
  t.same(await r.json(), { ok: true })
  t.equal(r.headers.get('access-control-allow-origin'), 'https://app.example')
  t.match(r.headers.get('vary') ?? '', /Origin/)

  const pre = await fetch(url + '/data', {
    method: 'OPTIONS',
    headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'PUT' }
  })
  t.equal(pre.status, 204)
  t.equal(await pre.text(), '')
  t.equal(pre.headers.get('access-control-allow-methods'), 'GET,PUT')
  t.equal(pre.headers.get('access-control-max-age'), '600')
  t.equal(handled, 1, 'the preflight ran no route handler')

  const r2 = await fetch(url + '/data', { method: 'PUT', headers: { Origin: 'https://app.example' } })
  t.same(await r2.json(), { put: true })
  t.equal(handled, 2)
})

t.test('headers set before next() move into c.response: later handlers can change or drop them', async (t) => {
  const h = New()
  h.use(adaptor.middleware((_req, res, next) => {
    res.setHeader('X-Keep', 'mw')
    res.setHeader('X-Drop', 'mw')
    res.setHeader('Set-Cookie', ['a=1', 'b=2'])
    next()
  }))
  h.GET('/native', (ctx, c) => {
    c.response.header.del('X-Drop')
    c.string(200, 'native %s', c.response.header.get('X-Keep'))
  })
  h.GET('/wrapped', adaptor.handler((_req, res) => {
    res.end(`wrapped ${String(res.getHeader('x-keep'))}`)
  }))
  const { url } = await start(t, h)
  const r = await fetch(url + '/native')
  t.equal(await r.text(), 'native mw')
  t.equal(r.headers.get('x-keep'), 'mw')
  t.equal(r.headers.get('x-drop'), null)
  t.same(r.headers.getSetCookie(), ['a=1', 'b=2'])
  const w = await fetch(url + '/wrapped')
  t.equal(await w.text(), 'wrapped mw')
  t.same(w.headers.getSetCookie(), ['a=1', 'b=2'], 'carried over exactly once')
  t.equal(w.headers.get('x-drop'), 'mw')
})

t.test('a middleware that answers by itself ends the chain (sync and async)', async (t) => {
  const h = New()
  let reached = 0
  const auth = adaptor.middleware((req, res, next) => {
    const token = req.headers.authorization
    if (token === 'sync-deny') { res.statusCode = 401; res.end('denied'); return }
    if (token === 'async-deny') { setTimeout(() => { res.statusCode = 403; res.end('forbidden') }, 10); return }
    if (token === 'async-ok') { setTimeout(next, 10); return }
    next()
  })
  h.GET('/', auth, (ctx, c) => { reached++; c.string(200, 'in') })
  const { url } = await start(t, h)
  const cases: Array<[string, number, string]> = [
    ['sync-deny', 401, 'denied'], ['async-deny', 403, 'forbidden'], ['async-ok', 200, 'in'], ['ok', 200, 'in']
  ]
  for (const [token, status, body] of cases) {
    const r = await fetch(url + '/', { headers: { Authorization: token } })
    t.equal(r.status, status, token)
    t.equal(await r.text(), body)
  }
  t.equal(reached, 2)
})

t.test('next(err), a throw and a rejection take the error path; the chain stops', async (t) => {
  const h = Default()
  let reached = 0
  const fail = adaptor.middleware((req, _res, next) => {
    switch (req.headers['x-fail']) {
      case 'next-sync': return next(new Error('next sync'))
      case 'next-async': { setTimeout(() => next(new Error('next async')), 5); return }
      case 'throw': throw new Error('thrown')
      case 'reject': return Promise.reject(new Error('rejected'))
      default: return next()
    }
  })
  h.GET('/', fail, (ctx, c) => { reached++; c.string(200, 'ok') })
  const { url, logger } = await start(t, h)
  for (const how of ['next-sync', 'next-async', 'throw', 'reject']) {
    const r = await fetch(url + '/', { headers: { 'X-Fail': how } })
    t.equal(r.status, 500, how)
    await r.text()
  }
  t.equal(reached, 0)
  for (const msg of ['next sync', 'next async', 'thrown', 'rejected']) t.match(logger.text(), msg)
  t.equal(await (await fetch(url + '/')).text(), 'ok')
})

t.test('next(err) after the middleware started answering destroys the connection', async (t) => {
  const h = Default()
  h.GET('/', adaptor.middleware((_req, res, next) => {
    res.write('partial')
    setTimeout(() => next(new Error('mid-answer')), 5)
  }), (ctx, c) => { c.string(200, 'never') })
  const { port, logger } = await start(t, h)
  const c = await raw(t, port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  await c.closed
  t.match(c.text(), /partial/)
  t.notMatch(c.text(), /never|500/)
  t.match(logger.text(), /mid-answer/)
})

t.test('next is idempotent; calls after the step is over are ignored', async (t) => {
  const h = New()
  let reached = 0
  let late: (() => void) | null = null
  h.GET('/twice', adaptor.middleware((_req, _res, next) => { next(); next(); next(new Error('ignored')) }),
    (ctx, c) => { reached++; c.string(200, 'once') })
  h.GET('/late', adaptor.middleware((_req, res, next) => { res.end('answered'); late = next }),
    (ctx, c) => { reached += 100; c.string(200, 'never') })
  const { url } = await start(t, h)
  t.equal(await (await fetch(url + '/twice')).text(), 'once')
  t.equal(await (await fetch(url + '/late')).text(), 'answered')
  ;(late as unknown as () => void)()
  t.equal(reached, 1)
})

t.test('express middleware share one req along the chain: express.json() output reaches the handler', async (t) => {
  const h = New()
  const parse = express.json()
  h.POST('/json', adaptor.middleware(parse), adaptor.handler((req, res) => {
    res.setHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({ got: (req as IncomingMessage & { body?: unknown }).body }))
  }))
  const { url } = await start(t, h)
  const r = await fetch(url + '/json', { method: 'POST', body: '{"a":[1,2]}', headers: { 'Content-Type': 'application/json' } })
  t.same(await r.json(), { got: { a: [1, 2] } })
})

t.test('an async middleware (express 5 style) that awaits then calls next', async (t) => {
  const h = New()
  const order: string[] = []
  h.use(adaptor.middleware(async (_req, _res, next) => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    order.push('mw')
    next()
  }))
  h.use(async (ctx, c) => { await c.next(ctx); order.push(`after ${c.response.statusCode()}`) })
  h.GET('/', (ctx, c) => { order.push('handler'); c.string(201, 'made') })
  const { url } = await start(t, h)
  const r = await fetch(url + '/')
  t.equal(r.status, 201)
  t.equal(await r.text(), 'made')
  t.same(order, ['mw', 'handler', 'after 201'])
})

t.test('on an upgrade request: a refusing middleware answers on the socket, an allowing one reaches the hijack', async (t) => {
  const wss = new WebSocketServer({ noServer: true })
  t.teardown(() => { wss.close() })
  const h = New()
  h.GET('/ws', adaptor.middleware((req, res, next) => {
    if (req.headers.authorization === 'Bearer ok') return next()
    res.writeHead(401, { 'WWW-Authenticate': 'Bearer' })
    res.end('no token')
  }), adaptor.handler((req, res) => {
    const { socket, head } = adaptor.hijack(res)
    wss.handleUpgrade(req, socket, head, (ws) => { ws.send('welcome') })
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  await c.closed
  t.match(c.text(), /^HTTP\/1\.1 401 Unauthorized\r\n[^]*WWW-Authenticate: Bearer\r\n[^]*no token/)
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: 'Bearer ok' } })
  t.teardown(() => ws.terminate())
  const [msg] = await once(ws, 'message') as [Buffer]
  t.equal(String(msg), 'welcome')
  ws.close()
})

t.test('a middleware that throws after next() is logged; the chain\'s answer stands', async (t) => {
  const h = New()
  h.GET('/', adaptor.middleware((_req, _res, next) => {
    next()
    throw new Error('after next')
  }), (ctx, c) => { c.string(200, 'answered') })
  h.GET('/hijack', adaptor.middleware((_req, res) => {
    try { adaptor.hijack(res) } catch (err) { res.end((err as AdaptorError).code) }
  }))
  const { url, port, logger } = await start(t, h)
  t.equal(await (await fetch(url + '/')).text(), 'answered')
  t.match(logger.text(), /middleware threw after calling next\(\): Error: after next/)
  // Even on an upgrade request: handing the socket over is the job of handler(), the end of a chain.
  const c = await raw(t, port, 'GET /hijack HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n')
  await c.closed
  t.match(c.text(), /ADAPTOR_ERR_NOT_HIJACKABLE$/)
})
