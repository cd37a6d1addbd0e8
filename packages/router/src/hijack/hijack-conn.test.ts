import t, { type Test } from 'tap'
import type { Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { HertzError, type HijackConn, type HijackHandler, type RequestContext } from '../index.js'
import { start, New, Default } from '@hertz-node/test-kit/router'
import { openSocket, readUntil, rawExchange } from '@hertz-node/test-kit/raw-tcp'
import { sleep } from '@hertz-node/test-kit/teardown'
import type { Hertz } from '../server/hertz.js'

const UPGRADE = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n${extra}`

/** A route that answers 101 and hijacks with `handler`. */
function hijackRoute (h: Hertz, path: string, handler: HijackHandler): void {
  h.GET(path, (_ctx, c) => {
    c.setStatusCode(101)
    c.header('Upgrade', 'echo')
    c.header('Connection', 'Upgrade')
    c.hijack(handler)
    t.ok(c.hijacked())
  })
}

function closed (s: Socket): Promise<void> {
  return new Promise(resolve => { if (s.destroyed) resolve(); else s.once('close', () => { resolve() }) })
}

async function connectUpgrade (t: Test, port: number, path: string, extra = ''): Promise<{ s: Socket, head: string }> {
  const s = await openSocket(t, port)
  s.write(UPGRADE(path, extra))
  const head = await readUntil(s, x => x.includes('\r\n\r\n'))
  return { s, head }
}

t.test('hijack writes the head, hands over head bytes, reads and writes, closes when the handler settles', async t => {
  const h = New()
  hijackRoute(h, '/echo', async conn => {
    t.equal(conn.head.toString(), 'early')
    const first = await conn.read()
    t.equal(first?.toString(), 'early', 'read() returns the head bytes first')
    await conn.write('hello ')
    const next = await conn.read()
    await conn.write('got ' + String(next))
    t.match(conn.localAddr().string(), /^127\.0\.0\.1:\d+$/)
    t.match(conn.remoteAddr().string(), /^127\.0\.0\.1:\d+$/)
    t.equal(conn.remoteAddr().network(), 'tcp')
    t.ok(conn.socket.remotePort)
  })
  const { port } = await start(t, h)
  const { s, head } = await connectUpgrade(t, port, '/echo', 'early')
  t.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/)
  t.match(head, /\r\nUpgrade: echo\r\n/)
  t.match(head, /\r\nServer: hertz\r\n/)
  t.notMatch(head, /Content-Length/i)
  await readUntil(s, x => x.endsWith('hello '))
  s.write('more')
  const rest = await readUntil(s, x => x.includes('got more'))
  t.match(rest, /got more/)
  await closed(s)
  t.pass('socket closed after the handler settled')
})

t.test('read() yields null at end of stream', async t => {
  const h = New()
  let sawNull = false
  hijackRoute(h, '/eof', async conn => {
    t.equal(conn.head.length, 0)
    t.equal(conn.head.buffer.byteLength, 0, 'an empty head pins no part of the request\'s read buffer')
    const a = await conn.read()
    t.equal(a?.toString(), 'x')
    sawNull = (await conn.read()) === null
  })
  const { port } = await start(t, h)
  const { s } = await connectUpgrade(t, port, '/eof')
  s.end('x')
  await closed(s)
  t.ok(sawNull)
})

t.test('hijack on a plain request is refused with HERTZ_ERR_NOT_HIJACKABLE', async t => {
  const h = New()
  let code = ''
  h.GET('/plain', (_ctx, c) => {
    try { c.hijack(() => {}) } catch (err) { code = (err as HertzError).code }
    c.string(200, 'plain')
  })
  const { url } = await start(t, h)
  t.equal(await (await fetch(url + '/plain')).text(), 'plain')
  t.equal(code, 'HERTZ_ERR_NOT_HIJACKABLE')
})

t.test('a throwing hijack handler: socket closed, error logged, server keeps serving', async t => {
  const h = New()
  hijackRoute(h, '/boom', () => { throw new Error('hijack boom') })
  hijackRoute(h, '/boom-async', async () => { await sleep(1); throw new Error('hijack async boom') })
  h.GET('/ok', (_ctx, c) => { c.string(200, 'ok') })
  const { port, url, logger } = await start(t, h)
  for (const p of ['/boom', '/boom-async']) {
    const { s } = await connectUpgrade(t, port, p)
    await closed(s)
  }
  t.match(logger.text(), /hijack handler error: Error: hijack boom/)
  t.match(logger.text(), /hijack async boom/)
  t.equal(await (await fetch(url + '/ok')).text(), 'ok')
})

t.test('pool on: a second close throws CLOSED, use after release throws RELEASED', async t => {
  const h = New()
  t.equal(h.noHijackConnPool, false, 'pooled by default')
  const results: Record<string, string> = {}
  let stale: HijackConn | null = null
  hijackRoute(h, '/twice', async conn => {
    conn.close()
    try { conn.close() } catch (err) { results.second = (err as HertzError).code }
    results.read = await conn.read().then(() => 'resolved', (err: HertzError) => err.code)
  })
  hijackRoute(h, '/leak', conn => { stale = conn })
  hijackRoute(h, '/reuse', async conn => {
    // The released wrapper of /leak may be recycled for this connection; the stale lease must not reach it.
    results.stale = await (stale as unknown as HijackConn).write('intruder').then(() => 'resolved', (err: HertzError) => err.code)
    await conn.write('mine')
  })
  const { port } = await start(t, h)
  let c = await connectUpgrade(t, port, '/twice')
  await closed(c.s)
  t.equal(results.second, 'HERTZ_ERR_HIJACK_CONN_CLOSED')
  t.equal(results.read, 'HERTZ_ERR_HIJACK_CONN_CLOSED')

  c = await connectUpgrade(t, port, '/leak')
  await closed(c.s)
  const leaked = stale as unknown as HijackConn
  // read() and write() return Promises, so their misuse is a rejection (`conn.write(x).catch(f)` catches it) ...
  let writing: Promise<void> | null = null
  t.doesNotThrow(() => { writing = leaked.write('late') })
  await t.rejects(writing as unknown as Promise<void>, { code: 'HERTZ_ERR_HIJACK_CONN_RELEASED' })
  await t.rejects(leaked.read(), { code: 'HERTZ_ERR_HIJACK_CONN_RELEASED' })
  // ... while the synchronous methods throw.
  t.throws(() => leaked.close(), { code: 'HERTZ_ERR_HIJACK_CONN_RELEASED' })
  t.throws(() => leaked.setReadTimeout(10), { code: 'HERTZ_ERR_HIJACK_CONN_RELEASED' })
  t.throws(() => leaked.socket, { code: 'HERTZ_ERR_HIJACK_CONN_RELEASED' })

  c = await connectUpgrade(t, port, '/reuse')
  const got = await readUntil(c.s, x => x.includes('mine'))
  t.notMatch(got, /intruder/)
  t.equal(results.stale, 'HERTZ_ERR_HIJACK_CONN_RELEASED')
})

t.test('pool off: close is idempotent and async use works until close', async t => {
  const h = New()
  h.noHijackConnPool = true
  const log: string[] = []
  let writer: Promise<void> | null = null
  hijackRoute(h, '/async', async conn => {
    // A background task keeps writing while the handler waits for the client.
    writer = (async () => {
      for (let i = 0; i < 1000; i++) {
        try {
          await conn.write(`tick${i};`)
        } catch (err) {
          log.push((err as HertzError).code)
          return
        }
        await sleep(5)
      }
    })()
    const bye = await conn.read()
    log.push('read ' + String(bye))
    conn.close()
    conn.close()
    log.push('closed twice fine')
  })
  const { port } = await start(t, h)
  const { s } = await connectUpgrade(t, port, '/async')
  await readUntil(s, x => x.includes('tick3;'))
  s.write('bye')
  await closed(s)
  await writer
  t.same(log, ['read bye', 'closed twice fine', 'HERTZ_ERR_HIJACK_CONN_CLOSED'])
})

t.test('keepHijackedConns: the socket outlives the handler; closing it is the handler\'s job', async t => {
  const h = New()
  h.keepHijackedConns = true
  let kept: HijackConn | null = null
  hijackRoute(h, '/keep', conn => { kept = conn })
  const { port } = await start(t, h)
  const { s } = await connectUpgrade(t, port, '/keep')
  await sleep(30)
  t.notOk(s.destroyed, 'still open after the handler returned')
  const conn = kept as unknown as HijackConn
  await conn.write('later')
  await readUntil(s, x => x.includes('later'))
  conn.close()
  await closed(s)
  t.throws(() => conn.close(), { code: 'HERTZ_ERR_HIJACK_CONN_RELEASED' }, 'closing released it to the pool')
})

t.test('setReadTimeout fails a read that gets no data and closes the conn', async t => {
  const h = New()
  let outcome = ''
  hijackRoute(h, '/slow', async conn => {
    conn.setReadTimeout(80)
    const first = await conn.read()
    t.equal(first?.toString(), 'quick')
    outcome = await conn.read().then(() => 'data', (err: HertzError) => err.code)
  })
  const { port } = await start(t, h)
  const { s } = await connectUpgrade(t, port, '/slow')
  s.write('quick')
  await closed(s)
  t.equal(outcome, 'HERTZ_ERR_READ_TIMEOUT')
})

t.test('setWriteTimeout fails writes the peer does not drain', async t => {
  const h = New()
  let outcome = ''
  let markDone = (): void => {}
  const done = new Promise<void>(resolve => { markDone = resolve })
  hijackRoute(h, '/stall', async conn => {
    conn.setWriteTimeout(100)
    const chunk = Buffer.alloc(1 << 20)
    for (let i = 0; i < 200 && !conn.socket.destroyed; i++) {
      const failed = await Promise.race([conn.write(chunk).then(() => false, () => true), sleep(50).then(() => false)])
      if (failed) break
    }
    outcome = await conn.read().then(() => 'readable', (err: HertzError) => err.code)
    markDone()
  })
  const { port } = await start(t, h)
  const { s } = await connectUpgrade(t, port, '/stall')
  s.pause()
  await done
  // A paused client never sees the FIN queued behind the unread bytes: let it read them now.
  s.resume()
  await closed(s)
  t.equal(outcome, 'HERTZ_ERR_WRITE_TIMEOUT')
})

t.test('hijack response head carries the handler\'s status and headers; an invalid header yields 500', async t => {
  // The value check and the name check: node:http's own validators, with their messages, refuse what they refuse.
  const rows = [
    { path: '/bad', name: 'X-Bad', value: 'a\nb', logged: /Invalid character in header content/ },
    { path: '/bad-name', name: 'X Bad', value: 'v', logged: /Header name must be a valid HTTP token \["X Bad"\]/ },
  ]
  const h = New()
  for (const row of rows) {
    h.GET(row.path, (_ctx, c: RequestContext) => {
      c.setStatusCode(101)
      c.header(row.name, row.value)
      c.hijack(() => { t.fail('must not run') })
    })
  }
  const { port, logger } = await start(t, h)
  for (const row of rows) {
    const r = await rawExchange(t, port, UPGRADE(row.path))
    t.ok(r.closed, row.path)
    t.match(r.text, /^HTTP\/1\.1 500 /, row.path)
    t.match(logger.text(), row.logged, row.path)
  }
})

t.test('a hijacked answer with a body: head, Content-Length and body go out before the handler\'s bytes', async t => {
  const h = New()
  h.GET('/body', (_ctx, c: RequestContext) => {
    c.setStatusCode(200)
    c.header('X-Kind', 'prelude')
    c.setContentType('text/plain')
    c.write('hello ')
    c.write(Buffer.from('world'))
    c.hijack(async conn => { await conn.write('|after') })
  })
  const { port } = await start(t, h)
  const s = await openSocket(t, port)
  s.write(UPGRADE('/body'))
  const text = await readUntil(s, x => x.endsWith('|after'))
  t.equal(text,
    'HTTP/1.1 200 OK\r\nX-Kind: prelude\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nServer: hertz\r\n\r\nhello world|after')
})

t.test('a hijacked answer with no body allowed (101, 204) carries neither the body nor its length', async t => {
  const h = New()
  for (const status of [101, 204]) {
    h.GET(`/s${status}`, (_ctx, c: RequestContext) => {
      c.setStatusCode(status)
      c.header('Server', 'mine')
      c.write('dropped')
      c.hijack(async conn => { await conn.write('[conn]') })
    })
  }
  const { port } = await start(t, h)
  for (const [status, line] of [[101, '101 Switching Protocols'], [204, '204 No Content']] as const) {
    const s = await openSocket(t, port)
    s.write(UPGRADE(`/s${status}`))
    const text = await readUntil(s, x => x.endsWith('[conn]'))
    t.equal(text, `HTTP/1.1 ${line}\r\nServer: mine\r\n\r\n[conn]`, `${status}: the application's Server header, no default one`)
    s.destroy()
  }
})

t.test('bytes that arrive while the chain runs (signal watched) are not lost to the hijack handler', async t => {
  const h = New()
  h.use(async (ctx, c) => {
    t.equal(ctx.signal.aborted, false)
    await sleep(40)
    await c.next(ctx)
  })
  hijackRoute(h, '/late', async conn => {
    let got = ''
    while (!got.includes('second')) {
      const chunk = await conn.read()
      if (chunk === null) break
      got += chunk.toString()
    }
    await conn.write('saw:' + got)
  })
  const { port } = await start(t, h)
  const s = await openSocket(t, port)
  s.write(UPGRADE('/late', 'first,'))
  await sleep(10)
  s.write('second')
  const text = await readUntil(s, x => x.includes('saw:'))
  await readUntil(s, x => x.includes('second'))
  t.match(text, /^HTTP\/1\.1 101 /)
  t.match(await readUntil(s, x => x.endsWith('second')), /saw:first,second$/)
})

t.test('an error after c.hijack() answers a plain 500: upgrade headers dropped, the handler never runs', async t => {
  for (const make of [Default, New]) {
    await t.test(make.name, async t => {
      const h = make()
      let ran = false
      h.GET('/boom', (_ctx, c) => {
        c.setStatusCode(101)
        c.header('Upgrade', 'echo')
        c.header('Connection', 'Upgrade')
        c.hijack(async conn => { ran = true; await conn.write('hijacked bytes') })
        throw new Error('after hijack')
      })
      const { port, logger } = await start(t, h)
      const r = await rawExchange(t, port, UPGRADE('/boom'))
      t.ok(r.closed, 'socket closed after the 500')
      t.match(r.text, /^HTTP\/1\.1 500 Internal Server Error\r\n/)
      t.notMatch(r.text, /Upgrade/i, 'no Upgrade header, no Connection: Upgrade')
      t.notMatch(r.text, /hijacked bytes/)
      t.equal(r.text.match(/HTTP\/1\.1 /g)?.length, 1)
      t.notOk(ran, 'the hijack handler did not run')
      t.match(logger.text(), /after hijack/)
    })
  }
})

t.test('while a hijack handler runs, the request and its context are not kept (an idle connection stays small)', async t => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const h = New()
  let refs: { req: WeakRef<object>, c: WeakRef<object> } | null = null
  let finish: () => void = () => {}
  h.GET('/held', (_ctx, c) => {
    refs = { req: new WeakRef(c.req), c: new WeakRef(c) }
    c.setStatusCode(101)
    c.header('Upgrade', 'echo')
    c.header('Connection', 'Upgrade')
    // Made where neither the request nor the context is in scope: whatever still holds them is the router.
    c.hijack(openSession)
  })
  function openSession (): Promise<void> {
    return new Promise<void>(resolve => { finish = resolve })
  }
  const { port } = await start(t, h)
  const { s, head } = await connectUpgrade(t, port, '/held')
  t.match(head, /^HTTP\/1\.1 101 /)
  const { req, c } = refs as unknown as { req: WeakRef<object>, c: WeakRef<object> }
  for (let i = 0; i < 20 && (req.deref() !== undefined || c.deref() !== undefined); i++) {
    await sleep(5)
    gc()
  }
  t.equal(c.deref(), undefined, 'the context was collected while the connection is open')
  t.equal(req.deref(), undefined, 'the request was collected while the connection is open')
  finish()
  await closed(s)
  t.pass('the connection closes when the handler settles')
})
