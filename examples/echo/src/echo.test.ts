import t, { type Test } from 'tap'
import { once } from 'node:events'
import { connect as connectRaw } from 'node:net'
import WebSocket from 'ws'
import { getPage, type Page } from '@hertz-node/example-support/page'
import { SERVERS, spawnApp, startServer, type RunningServer, type ServerName } from './spawn-app.js'

// Real processes on a machine that may be busy: allow more than tap's default 30 s per file.
t.setTimeout(180_000)
// Every case below starts its own server process and mostly waits on it: three at a time.
t.jobs = 3

/** GET / with an explicit Host header (fetch cannot set Host). */
function getHome (server: RunningServer, host: string): Promise<Page> {
  return getPage(server, host)
}

async function connect (t: Test, server: RunningServer): Promise<WebSocket> {
  const ws = new WebSocket(`ws://${server.addr}/echo`)
  t.teardown(() => { ws.terminate() })
  await once(ws, 'open')
  return ws
}

async function roundTrip (ws: WebSocket, data: string | Buffer): Promise<[Buffer, boolean]> {
  const reply = once(ws, 'message') as Promise<[Buffer, boolean]>
  ws.send(data)
  return await reply
}

/** What each server logs when the client answers its shutdown close: gorilla's CloseError text, or ws's code and reason. */
const SHUTDOWN_READ: Record<ServerName, string> = {
  legacy: 'read: websocket: close 1001 (going away)',
  adaptor: 'read: websocket: close 1001 (going away)',
  fastify: 'read: close 1001 '
}

for (const name of SERVERS) {
  t.test(`${name}: page, echo and SIGINT`, async (t) => {
    const server = await startServer(name)
    t.teardown(() => server.app.kill())

    // The router apps answer this in memory (in-memory.test.ts, h.inject): a page needs no port.
    if (name === 'fastify') {
      t.test('GET / names the ws URL of the Host used', async (t) => {
        const direct = await getHome(server, server.addr)
        t.equal(direct.status, 200)
        t.equal(direct.contentType, 'text/html; charset=utf-8')
        t.match(direct.body, `<meta name="echo-ws-url" content="ws://${server.addr}/echo">`)
        const named = await getHome(server, 'echo.example:9000')
        t.match(named.body, '<meta name="echo-ws-url" content="ws://echo.example:9000/echo">')
        const hostile = await getHome(server, 'h"><b>x')
        t.match(hostile.body, '<meta name="echo-ws-url" content="ws://h&quot;&gt;&lt;b&gt;x/echo">')
        t.notMatch(hostile.body, '"><b>')
      })
    }

    t.test('text comes back as text, binary as binary', async (t) => {
      const ws = await connect(t, server)
      const [text, textIsBinary] = await roundTrip(ws, 'Hello world!')
      t.equal(textIsBinary, false)
      t.equal(text.toString(), 'Hello world!')
      const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff])
      const [binary, binaryIsBinary] = await roundTrip(ws, bytes)
      t.equal(binaryIsBinary, true)
      t.same(binary, bytes)
      const [empty, emptyIsBinary] = await roundTrip(ws, '')
      t.equal(emptyIsBinary, false)
      t.equal(empty.length, 0)
      await server.app.waitForLine(/recv: Hello world!$/)
      ws.close(1000)
      const [code] = await once(ws, 'close')
      t.equal(code, 1000, 'the server answers the close handshake')
      await server.app.waitForLine(/ read: .*1000/)
    })

    t.test('a keep-alive request and an upgrade in one write: both answered in order, the process lives', async (t) => {
      // node:http hands the upgrade over while the page's response may still own the socket.
      const sock = connectRaw(server.port, server.host)
      t.teardown(() => { sock.destroy() })
      let got = ''
      sock.setEncoding('latin1')
      sock.on('data', (d: string) => { got += d })
      sock.write(`GET / HTTP/1.1\r\nHost: ${server.addr}\r\n\r\n` +
        `GET /echo HTTP/1.1\r\nHost: ${server.addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
      // @fastify/websocket (the reference app) leaves such an upgrade unanswered; only the page is awaited there.
      // Elsewhere: the whole head of the 101, whichever header comes last (the legacy path adds `Server: hertz`).
      const done = name === 'fastify' ? /<\/html>/ : /HTTP\/1\.1 101 [^]*?\r\n\r\n/
      const deadline = Date.now() + 5000
      while (!done.test(got) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      t.match(got, /^HTTP\/1\.1 200 OK\r\n/, 'the page first')
      if (name !== 'fastify') {
        t.ok(got.indexOf('HTTP/1.1 101 Switching Protocols') > got.indexOf('</html>'), 'then the 101, after the whole page')
      }
      sock.destroy()
      // Still serving: a fresh WebSocket echoes.
      const ws = await connect(t, server)
      t.equal((await roundTrip(ws, 'still here'))[0].toString(), 'still here')
      ws.close(1000)
      await once(ws, 'close')
    })

    t.test('SIGINT with a client connected: close 1001 to the client, then exit 0', async (t) => {
      const ws = await connect(t, server)
      t.same((await roundTrip(ws, 'before shutdown'))[0].toString(), 'before shutdown')
      const closed = once(ws, 'close') as Promise<[number, Buffer]>
      const before = server.app.lines.length
      const exit = await server.app.stop('SIGINT')
      t.same(exit, { code: 0, signal: null }, server.app.output())
      const [code, reason] = await closed
      t.equal(code, 1001, 'going away')
      t.equal(reason.toString(), '', 'no reason')
      // The server's read ends with the client's answer to its close: 1001, no reason.
      const read = server.app.lines.slice(before).filter((l) => l.includes(' read: ')).map((l) => l.slice(l.indexOf('read: ')))
      t.same(read, [SHUTDOWN_READ[name]], server.app.output())
    })
  })

  t.test(`${name}: SIGTERM when idle exits 0`, async (t) => {
    const server = await startServer(name)
    t.teardown(() => server.app.kill())
    t.same(await server.app.stop('SIGTERM'), { code: 0, signal: null }, server.app.output())
  })

  t.test(`${name}: a bad --addr is refused with Go's message`, async (t) => {
    const app = spawnApp(name, ['--addr', 'localhost'])
    t.teardown(() => app.kill())
    const exit = await app.exited
    t.equal(exit.code, 1)
    t.match(app.output(), 'address localhost: missing port in address')
  })
}
