import t, { type Test } from 'tap'
import { createServer, request, type IncomingMessage } from 'node:http'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import serveStatic from 'serve-static'
import sirv from 'sirv'
import express from 'express'
import httpProxy from 'http-proxy'
import { WebSocket, WebSocketServer } from 'ws'
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { Default, New, start } from '@hertz-node/test-kit/router'
import { deferred, type Teardown } from '@hertz-node/test-kit/teardown'
import { listen, raw } from '@hertz-node/test-kit/raw-tcp'

const CONTENT = 'The quick brown fox jumps over the lazy dog.\n'.repeat(20)

async function fixtureDir (t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'adaptor-static-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'fox.txt'), CONTENT)
  await writeFile(join(dir, 'index.html'), '<h1>home</h1>')
  return dir
}

/** Files served by a static middleware: full, ranges, conditional, HEAD, missing. */
async function checkStatic (t: Test, base: string): Promise<void> {
  const full = await fetch(base + '/fox.txt')
  t.equal(full.status, 200)
  t.equal(await full.text(), CONTENT)
  const etag = full.headers.get('etag')
  const lastModified = full.headers.get('last-modified')
  t.ok(etag !== null || lastModified !== null, 'a validator is sent')

  const part = await fetch(base + '/fox.txt', { headers: { Range: 'bytes=4-8' } })
  t.equal(part.status, 206)
  t.equal(await part.text(), 'quick')
  t.equal(part.headers.get('content-range'), `bytes 4-8/${CONTENT.length}`)

  const bad = await fetch(base + '/fox.txt', { headers: { Range: `bytes=${CONTENT.length + 10}-` } })
  t.equal(bad.status, 416)
  await bad.text()

  // node:http rather than fetch: fetch adds `Cache-Control: no-cache` to conditional requests, which rightly
  // defeats the 304.
  const conditional: Record<string, string> = etag !== null ? { 'If-None-Match': etag } : { 'If-Modified-Since': lastModified as string }
  const cached = await nodeGet(base + '/fox.txt', conditional)
  t.equal(cached.status, 304)
  t.equal(cached.body, '')

  const head = await fetch(base + '/fox.txt', { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(head.headers.get('content-length'), String(CONTENT.length))
  t.equal(await head.text(), '')
}

function nodeGet (url: string, headers: Record<string, string>): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { body += d })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

t.test('serve-static through adaptor.handler: ranges, 304, HEAD, its 404 via fallthrough', async (t) => {
  const dir = await fixtureDir(t)
  const h = New()
  const files = serveStatic(dir, { fallthrough: false })
  const serve = adaptor.handler((req, res) => files(req, res, (err?: unknown) => {
    const status = (err as { statusCode?: number } | undefined)?.statusCode ?? 404
    res.statusCode = status
    res.end(`static: ${status}`)
  }))
  h.GET('/static/*filepath', (ctx, c) => { c.req.url = c.req.url!.slice('/static'.length); return c.next(ctx) }, serve)
  h.HEAD('/static/*filepath', (ctx, c) => { c.req.url = c.req.url!.slice('/static'.length); return c.next(ctx) }, serve)
  const { url } = await start(t, h)
  await checkStatic(t, url + '/static')
  const missing = await fetch(url + '/static/missing.txt')
  t.equal(missing.status, 404)
  t.equal(await missing.text(), 'static: 404')
})

t.test('sirv through adaptor.handler: ranges, 304, HEAD', async (t) => {
  const dir = await fixtureDir(t)
  const h = New()
  const files = sirv(dir, { etag: true, dev: false })
  const serve = adaptor.handler((req, res) => files(req, res, () => { res.statusCode = 404; res.end('sirv: none') }))
  h.GET('/*filepath', serve)
  h.HEAD('/*filepath', serve)
  const { url } = await start(t, h)
  await checkStatic(t, url)
  t.equal(await (await fetch(url + '/')).text(), '<h1>home</h1>')
  const missing = await fetch(url + '/nope.txt')
  t.equal(missing.status, 404)
  t.equal(await missing.text(), 'sirv: none')
})

t.test('an express app mounted with adaptor.handler: routing, params, json, its error handler and 404', async (t) => {
  const app = express()
  app.use(express.json())
  app.get('/users/:id', (req, res) => { res.json({ id: req.params.id, q: req.query.q }) })
  app.post('/users', (req, res) => { res.status(201).json({ created: req.body }) })
  app.get('/fail', () => { throw new Error('express route failed') })
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(502).send(`handled: ${err.message}`)
  })
  const h = New()
  const log: string[] = []
  h.use(async (ctx, c) => { await c.next(ctx); log.push(`${c.method()} ${c.path()} ${c.response.statusCode()}`) })
  h.any('/*path', adaptor.handler(app))
  const { url } = await start(t, h)

  t.same(await (await fetch(url + '/users/7?q=go')).json(), { id: '7', q: 'go' })
  const created = await fetch(url + '/users', { method: 'POST', body: '{"name":"gopher"}', headers: { 'Content-Type': 'application/json' } })
  t.equal(created.status, 201)
  t.same(await created.json(), { created: { name: 'gopher' } })
  const failed = await fetch(url + '/fail')
  t.equal(failed.status, 502)
  t.equal(await failed.text(), 'handled: express route failed')
  const missing = await fetch(url + '/nothing')
  t.equal(missing.status, 404)
  t.match(await missing.text(), /Cannot GET \/nothing/)
  t.same(log, ['GET /users/7 200', 'POST /users 201', 'GET /fail 502', 'GET /nothing 404'])
})

t.test('http-proxy: HTTP (buffered and streamed bodies) and WebSocket traffic to a second server', async (t) => {
  const wss = new WebSocketServer({ noServer: true })
  t.teardown(() => { wss.close() })
  const backend = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (d: Buffer) => chunks.push(d))
    req.on('end', () => {
      res.setHeader('X-Backend', 'yes')
      res.end(`${req.method} ${req.url} ${req.headers['x-forwarded-for'] ?? '-'} [${Buffer.concat(chunks).toString()}]`)
    })
  })
  backend.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => { ws.on('message', (d) => ws.send(`backend got ${String(d)}`)) })
  })
  const backendPort = await listen(t, backend)
  const target = `http://127.0.0.1:${backendPort}`

  const proxy = httpProxy.createProxyServer({ target, xfwd: true })
  t.teardown(() => { proxy.close() })
  const proxyErrors: string[] = []
  proxy.on('error', (err) => { proxyErrors.push(err.message) })
  const forward = adaptor.handler((req, res) => {
    if (adaptor.isHijackable(res)) {
      const { socket, head } = adaptor.hijack(res)
      proxy.ws(req, socket, head)
    } else {
      proxy.web(req, res)
    }
  })
  for (const streamed of [false, true]) {
    const h = Default(server.withStreamBody(streamed))
    h.any('/*path', forward)
    const { url, port } = await start(t, h)
    const r = await fetch(url + '/some/path?x=1', { method: 'POST', body: `payload streamed=${streamed}` })
    t.equal(r.headers.get('x-backend'), 'yes')
    t.equal(await r.text(), `POST /some/path?x=1 127.0.0.1 [payload streamed=${streamed}]`)

    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`)
    t.teardown(() => ws.terminate())
    await once(ws, 'open')
    ws.send('ping')
    const [msg] = await once(ws, 'message') as [Buffer]
    t.equal(String(msg), 'backend got ping')
    ws.close()
    await once(ws, 'close')
  }
  t.same(proxyErrors, [])
})

t.test('SSE: the first event reaches the client while the handler is still running', async (t) => {
  const h = New()
  const release = deferred()
  let handlerDone = false
  h.GET('/events', adaptor.handler(async (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
    res.write('data: first\n\n')
    await release.promise
    res.write('data: second\n\n')
    res.end()
    handlerDone = true
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n')
  const first = await c.until('data: first\n\n')
  t.equal(handlerDone, false, 'the first event arrived before the handler finished')
  t.match(first, /^HTTP\/1\.1 200 OK\r\n[^]*Content-Type: text\/event-stream\r\n/)
  t.notMatch(first, /second/)
  release.resolve()
  const all = await c.until('0\r\n\r\n')
  t.match(all, /data: second\n\n/)
  t.equal(handlerDone, true)
})

t.test('a streamed request body is piped to the handler as it arrives', async (t) => {
  const h = New(server.withStreamBody(true))
  const seen: string[] = []
  const gotFirst = deferred()
  h.POST('/upload', adaptor.handler((req: IncomingMessage, res) => {
    req.setEncoding('utf8')
    req.on('data', (d: string) => { seen.push(d); gotFirst.resolve() })
    req.on('end', () => res.end(`got ${seen.join('')}`))
  }))
  const { port } = await start(t, h)
  const c = await raw(t, port, 'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n')
  await gotFirst.promise
  t.same(seen, ['hello'], 'the first chunk arrived before the body was complete')
  c.socket.write('6\r\n world\r\n0\r\n\r\n')
  t.match(await c.until('got hello world'), /^HTTP\/1\.1 200 OK/)
})
