/**
 * What only the deprecated HertzUpgrader has: the router's hijack (handler after the upgrade returns),
 * the hijacked conn's pool rules, the seed's timeout example and the deprecation warning. The behaviour it
 * shares with Upgrader is tested in ../upgrader.test.ts.
 */
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { server, type HertzError, type RequestContext } from '@hertz-node/router'
import type { Conn } from '../conn/conn.js'
import { BinaryMessage } from '../constants.js'
import { WsCompatError, WsCompatErrorCode } from '../errors.js'
import type { NetConn } from '../conn/net-conn.js'
import { echo } from '@hertz-node/test-kit/echo'
import { KEY, acceptKey, handshakeRequest, newKey, rawRequest } from '@hertz-node/test-kit/handshake'
import { rawResponse } from '@hertz-node/test-kit/raw-http'
import { HertzUpgrader, fastHTTPCheckSameOrigin } from './hertz-upgrader.js'

type Engine = ReturnType<typeof server.New>

async function run (t: Test, h: Engine): Promise<string> {
  h.logger = { info () {}, warn () {}, error () {} }
  await h.run()
  t.teardown(() => h.close())
  return `ws://127.0.0.1:${h.address().port}/echo`
}

async function open (t: Test, url: string): Promise<WebSocket> {
  const ws = new WebSocket(url)
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  return ws
}

function codeOf (fn: () => unknown): string {
  try {
    fn()
    return 'no error'
  } catch (err) {
    return (err as HertzError).code
  }
}

t.test('upgrade resolves before the handler runs, with the 101 already on c.response', async (t) => {
  const order: string[] = []
  let seen: [number, string] = [0, '']
  const upgrader = new HertzUpgrader()
  const h = server.New(server.withHostPorts('127.0.0.1:0'))
  h.GET('/echo', async (_ctx, c: RequestContext) => {
    await upgrader.upgrade(c, (conn) => {
      order.push('handler')
      return echo(conn)
    })
    order.push('upgrade resolved')
    seen = [c.response.statusCode(), c.response.header.peek('Sec-WebSocket-Accept')]
  })
  const ws = await open(t, await run(t, h))
  ws.send('x')
  await once(ws, 'message')
  t.same(order, ['upgrade resolved', 'handler'])
  t.equal(seen[0], 101)
  t.not(seen[1], '', 'Sec-WebSocket-Accept set on c.response')
})

for (const how of ['throws', 'rejects'] as const) {
  t.test(`a handler that ${how} after queuing a message: the message goes out, the error is logged, the conn closes`, async (t) => {
    const upgrader = new HertzUpgrader()
    const h = server.New(server.withHostPorts('127.0.0.1:0'))
    h.GET('/echo', async (_ctx, c: RequestContext) => {
      await upgrader.upgrade(c, (conn: Conn) => {
        void conn.writeMessage(BinaryMessage, Buffer.from('last words')).catch(() => {})
        if (how === 'throws') throw new Error('boom')
        return Promise.reject(new Error('boom'))
      })
    })
    const url = await run(t, h)
    const errors: string[] = []
    h.logger = { info () {}, warn () {}, error (msg: string) { errors.push(msg) } }
    // Listening before 'open': the frame may arrive with the 101, and is then emitted in the same turn.
    const ws = new WebSocket(url)
    t.teardown(() => ws.terminate())
    const message = once(ws, 'message') as Promise<[Buffer]>
    const closed = once(ws, 'close') as Promise<[number]>
    const [data] = await message
    t.equal(data.toString(), 'last words', 'the queued frame was let out first')
    const [code] = await closed
    t.equal(code, 1006, 'the router closed the TCP connection without a close frame')
    t.equal(errors.length, 1)
    t.match(errors[0], /^hijack handler error: .*boom/)
  })
}

t.test('pooled hijacked conns (the default): a second close throws, use after release throws', async (t) => {
  let net: NetConn | undefined
  const codes: string[] = []
  const upgrader = new HertzUpgrader()
  const h = server.New(server.withHostPorts('127.0.0.1:0'))
  const done = new Promise<void>((resolve) => {
    h.GET('/echo', async (_ctx, c) => {
      await upgrader.upgrade(c, async (conn: Conn) => {
        net = conn.netConn()
        const [mt, msg] = await conn.readMessage()
        await conn.writeMessage(mt, msg)
        net.close()
        codes.push(codeOf(() => net!.close()))
        setImmediate(resolve)
      })
    })
  })
  const ws = await open(t, await run(t, h))
  ws.send('once')
  await once(ws, 'message')
  await done
  await once(ws, 'close')
  codes.push(codeOf(() => net!.setReadTimeout(10)))
  t.same(codes, ['HERTZ_ERR_HIJACK_CONN_CLOSED', 'HERTZ_ERR_HIJACK_CONN_RELEASED'])
})

t.test('h.noHijackConnPool = true: close is idempotent and the conn is never reported released', async (t) => {
  let net: NetConn | undefined
  let after: Conn | undefined
  const codes: string[] = []
  const upgrader = new HertzUpgrader()
  const h = server.New(server.withHostPorts('127.0.0.1:0'))
  h.noHijackConnPool = true
  h.GET('/echo', async (_ctx, c) => {
    await upgrader.upgrade(c, async (conn: Conn) => {
      net = conn.netConn()
      after = conn
      const [mt, msg] = await conn.readMessage()
      await conn.writeMessage(mt, msg)
      net.close()
      codes.push(codeOf(() => net!.close()))
    })
  })
  const ws = await open(t, await run(t, h))
  ws.send('once')
  await once(ws, 'message')
  await once(ws, 'close')
  codes.push(codeOf(() => net!.close()))
  t.same(codes, ['no error', 'no error'])
  await t.rejects(after!.readMessage(), 'reads after close fail with an error, not a crash')
})

t.test('keepHijackedConns + noHijackConnPool: the conn lives on after the handler returns', async (t) => {
  const upgrader = new HertzUpgrader()
  const h = server.New(server.withHostPorts('127.0.0.1:0'))
  h.noHijackConnPool = true
  h.keepHijackedConns = true
  let returned = false
  h.GET('/echo', async (_ctx, c) => {
    await upgrader.upgrade(c, (conn) => {
      void echo(conn)
      returned = true
    })
  })
  const ws = await open(t, await run(t, h))
  for (const m of ['one', 'two']) {
    ws.send(m)
    const [data] = await once(ws, 'message')
    t.equal(String(data), m)
  }
  t.ok(returned, 'the handler had returned before the messages were echoed')
})

t.test("the seed's timeout example: conn.netConn().setReadTimeout fires on an idle client", async (t) => {
  const upgrader = new HertzUpgrader()
  const h = server.New(server.withHostPorts('127.0.0.1:0'))
  const failed = new Promise<unknown>((resolve) => {
    h.GET('/echo', async (_ctx, c) => {
      await upgrader.upgrade(c, async (conn) => {
        conn.netConn().setReadTimeout(100)
        conn.netConn().setWriteTimeout(100)
        try {
          await conn.readMessage()
          resolve('read returned')
        } catch (err) {
          resolve(err)
        } finally {
          conn.close()
        }
      })
    })
  })
  const ws = await open(t, await run(t, h))
  const closed = once(ws, 'close')
  const err = await failed
  t.ok(err instanceof WsCompatError, 'the read failed')
  t.match(err, { code: WsCompatErrorCode.READ_TIMEOUT, timeout: true, cause: { code: 'HERTZ_ERR_READ_TIMEOUT' } },
    "the router's timeout reads as the Conn's own read timeout")
  await closed
  t.pass('the idle client was disconnected')
})

t.test('netConn().setWriteTimeout: a write the client does not take fails with the write timeout error', async (t) => {
  const upgrader = new HertzUpgrader()
  const h = server.New(server.withHostPorts('127.0.0.1:0'))
  const failed = new Promise<unknown>((resolve) => {
    h.GET('/echo', async (_ctx, c) => {
      await upgrader.upgrade(c, async (conn) => {
        conn.netConn().setWriteTimeout(200)
        const body = Buffer.alloc(1024 * 1024)
        try {
          for (let i = 0; i < 1000; i++) await conn.writeMessage(BinaryMessage, body)
          resolve('every write went through')
        } catch (err) {
          resolve(err)
        } finally {
          conn.close()
        }
      })
    })
  })
  const port = new URL(await run(t, h)).port
  // The raw client never reads past the 101: the socket buffers fill up and the writes stall.
  const r = await rawResponse(t, Number(port), handshakeRequest())
  t.equal(r.status, 101)
  const err = await failed
  t.ok(err instanceof WsCompatError, 'the write failed')
  t.match(err, { code: WsCompatErrorCode.WRITE_TIMEOUT, timeout: true, cause: { code: 'HERTZ_ERR_WRITE_TIMEOUT' } },
    "the router's timeout reads as the Conn's own write timeout")
  r.socket.resume()
  await r.closed
  t.pass('the server closed the connection')
})

t.test('repeated header lines are read as Hertz\'s Peek reads them: the first value', async (t) => {
  const upgrader = new HertzUpgrader()
  const h = server.New(server.withHostPorts('127.0.0.1:0'))
  const refusals: unknown[] = []
  h.GET('/echo', async (_ctx, c: RequestContext) => {
    try {
      await upgrader.upgrade(c, echo)
    } catch (err) {
      refusals.push(err) // the refusal is already on c.response, as in the seed's handlers that log it
    }
  })
  const port = Number(new URL(await run(t, h)).port)
  const second = newKey()
  const request = rawRequest('GET /echo HTTP/1.1', [
    'Host: localhost', 'Upgrade: websocket', 'Connection: keep-alive', 'Connection: Upgrade',
    `Sec-WebSocket-Key: ${KEY}`, `Sec-WebSocket-Key: ${second}`, 'Sec-WebSocket-Version: 13',
    'Origin: http://localhost', 'Origin: http://evil.example',
  ])
  const r = await rawResponse(t, port, request)
  t.equal(r.status, 101, 'a Connection line with upgrade is enough; the first Origin is the same origin')
  t.same(r.headers['sec-websocket-accept'], [acceptKey(KEY)], 'the accept answers the first key')
  r.socket.destroy()

  const refused = await rawResponse(t, port, rawRequest('GET /echo HTTP/1.1', [
    'Host: localhost', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${KEY}`,
    'Sec-WebSocket-Version: 13', 'Origin: http://evil.example', 'Origin: http://localhost',
  ]))
  t.equal(refused.status, 403, 'a foreign first Origin is refused, whatever follows it')
  t.match(refusals, [{ code: WsCompatErrorCode.HANDSHAKE, status: 403 }])
})

t.test('fastHTTPCheckSameOrigin is the default CheckOrigin and is exported', async (t) => {
  const upgrader = new HertzUpgrader()
  t.equal(upgrader.checkOrigin, undefined)
  const results: boolean[] = []
  const h = server.New(server.withHostPorts('127.0.0.1:0'))
  h.GET('/echo', (_ctx, c) => { results.push(fastHTTPCheckSameOrigin(c)); c.string(200, 'ok') })
  const url = (await run(t, h)).replace('ws:', 'http:')
  await (await fetch(url)).text()
  await (await fetch(url, { headers: { Origin: url.replace('/echo', '') } })).text()
  await (await fetch(url, { headers: { Origin: 'http://other.example' } })).text()
  t.same(results, [true, true, false])
})

t.test('one DeprecationWarning with a code per process', async (t) => {
  const module = fileURLToPath(new URL('./hertz-upgrader.ts', import.meta.url))
  const script = `
    const warnings = []
    process.on('warning', (w) => warnings.push({ name: w.name, code: w.code, message: w.message, detail: w.detail }))
    const { HertzUpgrader } = await import(${JSON.stringify(module)})
    new HertzUpgrader(); new HertzUpgrader(); new HertzUpgrader({ enableCompression: true })
    setImmediate(() => console.log(JSON.stringify(warnings)))
  `
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, ['--conditions=hertz-source', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: fileURLToPath(new URL('../../../..', import.meta.url)) },
      (err, stdout, stderr) => (err ? reject(err) : resolve({ stdout, stderr })))
  })
  const warnings = JSON.parse(stdout) as { name: string; code: string; message: string; detail: string }[]
  t.equal(warnings.length, 1, 'exactly one warning for three upgraders')
  t.equal(warnings[0]!.name, 'DeprecationWarning')
  t.equal(warnings[0]!.code, 'WS_COMPAT_DEP_HERTZ_UPGRADER')
  t.match(warnings[0]!.message, /HertzUpgrader .* deprecated.*Upgrader/)
  t.match(warnings[0]!.detail, /cloudwego\.io\/docs\/hertz\/.*websocket/)
  t.match(warnings[0]!.detail, /MIGRATION\.md/, "and the project's TypeScript walk-through")
  // A link, not a name: the repository the package.json names, and a file that exists at its root.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { repository: { url: string } }
  const repo = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')
  t.ok(warnings[0]!.detail.includes(`${repo}/blob/main/MIGRATION.md`), `links ${repo}/blob/main/MIGRATION.md`)
  t.ok(existsSync(new URL('../../../../MIGRATION.md', import.meta.url)), 'MIGRATION.md is at the repository root')
  t.equal(stderr.match(/DeprecationWarning/g)?.length, 1, 'printed once')
})
