import t from 'tap'
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { New, start } from '@hertz-node/test-kit/router'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'

// Hertz sets `Server: hertz` on the response before any handler runs: a response written by an adapted Node
// handler carries it, a handler's own Server replaces it, and `WithDisableDefaultServerHeader` leaves it out.
// `Headers.get` joins repeated fields with ", ", so an exact value also proves the header came once.

t.test('an adapted handler answers with Server: hertz, once', async (t) => {
  const h = New()
  h.GET('/node', adaptor.handler((_req, res) => { res.end('node') }))
  h.GET('/own', adaptor.handler((_req, res) => { res.setHeader('Server', 'express'); res.end('own') }))
  h.GET('/native', (_ctx, c) => { c.string(200, 'native') })
  const { url } = await start(t, h)

  const node = await fetch(url + '/node')
  t.equal(await node.text(), 'node')
  t.equal(node.headers.get('server'), 'hertz', 'the default, as on the router\'s own answers')
  const own = await fetch(url + '/own')
  t.equal(await own.text(), 'own')
  t.equal(own.headers.get('server'), 'express', 'the handler\'s own Server wins, alone')
  const native = await fetch(url + '/native')
  t.equal(await native.text(), 'native')
  t.equal(native.headers.get('server'), 'hertz')
})

t.test('a native handler\'s own Server replaces the default instead of joining it', async (t) => {
  const h = New()
  h.GET('/set', (_ctx, c) => { c.response.header.set('Server', 'mine'); c.string(200, 'set') })
  h.GET('/hijacked', (_ctx, c) => {
    c.setStatusCode(101)
    c.header('Upgrade', 'echo')
    c.header('Connection', 'Upgrade')
    c.response.header.set('server', 'raw')
    c.hijack(() => {}) // the connection closes when the handler settles
  })
  const { port } = await start(t, h)

  const { text: set } = await rawExchange(t, port, 'GET /set HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(set, /^HTTP\/1\.1 200 /)
  t.same(set.match(/^server: .*$/gim), ['Server: mine'], 'one Server line, the handler\'s')
  const { text: hijacked, closed } = await rawExchange(t, port,
    'GET /hijacked HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n')
  t.ok(closed, 'the hijack handler settled, the connection closed')
  t.match(hijacked, /^HTTP\/1\.1 101 /)
  t.same(hijacked.match(/^server: .*$/gim), ['server: raw'], 'the raw head of a hijacked answer too')
})

t.test('a connect middleware that passes on: the response keeps one Server: hertz', async (t) => {
  const h = New()
  h.use(adaptor.middleware((_req, res, next) => { res.setHeader('X-Seen', '1'); next() }))
  h.GET('/native', (_ctx, c) => { c.string(200, 'native') })
  h.GET('/node', adaptor.handler((_req, res) => { res.end('node') }))
  h.GET('/answered', adaptor.handler((_req, res) => { res.statusCode = 204; res.end() }))
  const { url } = await start(t, h)

  for (const path of ['/native', '/node']) {
    const r = await fetch(url + path)
    t.equal(await r.text(), path.slice(1))
    t.equal(r.headers.get('server'), 'hertz', `${path}: moved from the middleware's res, not repeated`)
    t.equal(r.headers.get('x-seen'), '1', `${path}: the middleware's own header carried over`)
  }
  const answered = await fetch(url + '/answered')
  t.equal(answered.status, 204)
  t.equal(answered.headers.get('server'), 'hertz')
})

t.test('a middleware that answers by itself says Server: hertz', async (t) => {
  const h = New()
  h.use(adaptor.middleware((_req, res) => { res.statusCode = 403; res.end('no') }))
  h.GET('/x', (_ctx, c) => { c.string(200, 'unreached') })
  const { url } = await start(t, h)
  const r = await fetch(url + '/x')
  t.equal(r.status, 403)
  t.equal(await r.text(), 'no')
  t.equal(r.headers.get('server'), 'hertz')
})

t.test('withDisableDefaultServerHeader(true): adapted and native answers carry no Server', async (t) => {
  const h = New(server.withDisableDefaultServerHeader(true))
  h.use(adaptor.middleware((_req, _res, next) => { next() }))
  h.GET('/node', adaptor.handler((_req, res) => { res.end('node') }))
  h.GET('/native', (_ctx, c) => { c.string(200, 'native') })
  const { url } = await start(t, h)
  for (const path of ['/node', '/native']) {
    const r = await fetch(url + path)
    t.equal(await r.text(), path.slice(1))
    t.equal(r.headers.get('server'), null, `${path}: no Server header`)
  }
})

t.test('an upgrade request answered through res by an adapted handler gets no default Server', async (t) => {
  const h = New()
  h.GET('/ws', adaptor.handler((_req, res) => { res.statusCode = 426; res.end('upgrade refused') }))
  const { port } = await start(t, h)
  const { text, closed } = await rawExchange(t, port,
    'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
  t.ok(closed, 'the socket is closed after the answer')
  t.match(text, /^HTTP\/1\.1 426 /)
  t.match(text, /upgrade refused$/)
  t.equal(text.match(/^server: .*$/gim), null, 'like the 101 an upgrader writes, no Server line')
})
