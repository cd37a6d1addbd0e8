import t, { type Test } from 'tap'
import type { Hertz } from '@hertz-node/router'
import { BinaryMessage, TextMessage, injectWS } from '@hertz-node/ws-compat'
import { tcpResources } from '@hertz-node/test-kit/raw-tcp'
import { SERVERS, type ServerName } from './spawn-app.js'

// The two Hertz-style apps served in memory (h.inject, injectWS), where a port is not the point: the same app
// main() spins, never started and never listening. echo.test.ts runs them as processes on real ports. One test
// file per app (in-memory.legacy.test.ts, in-memory.adaptor.test.ts): both define the global --addr flag.

/** The in-memory tests of app `name`, built by its `newServer`. */
export function inMemoryTests (name: ServerName, newServer: (hostPorts: string) => Hertz): void {
  if (!SERVERS.includes(name)) return

  t.test(`${name}: GET / names the ws URL of the Host used (h.inject)`, async (t) => {
    const h = newServer('127.0.0.1:0')
    const addr = '127.0.0.1:8080'
    const direct = await h.inject({ url: '/', headers: { host: addr } })
    t.equal(direct.statusCode, 200)
    t.equal(direct.headers['content-type'], 'text/html; charset=utf-8')
    t.match(direct.body, `<meta name="echo-ws-url" content="ws://${addr}/echo">`)
    const named = await h.inject({ url: '/', headers: { host: 'echo.example:9000' } })
    t.match(named.body, '<meta name="echo-ws-url" content="ws://echo.example:9000/echo">')
    const hostile = await h.inject({ url: '/', headers: { host: 'h"><b>x' } })
    t.match(hostile.body, '<meta name="echo-ws-url" content="ws://h&quot;&gt;&lt;b&gt;x/echo">')
    t.notMatch(hostile.body, '"><b>')
  })

  t.test(`${name}: text comes back as text, binary as binary (injectWS)`, async (t) => {
    // The app logs what it reads to stderr, as Go's does; in this process that is the test's output, so the
    // lines are read here instead of printed.
    const stderr = captureStderr(t)
    const before = tcpResources()
    const h = newServer('127.0.0.1:0')
    const conn = await injectWS(h, '/echo')
    await conn.writeMessage(TextMessage, 'Hello world!')
    t.same(await conn.readMessage(), [TextMessage, Buffer.from('Hello world!')])
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff])
    await conn.writeMessage(BinaryMessage, bytes)
    t.same(await conn.readMessage(), [BinaryMessage, bytes])
    await conn.writeMessage(TextMessage, '')
    t.same(await conn.readMessage(), [TextMessage, Buffer.alloc(0)])
    t.same(tcpResources(), before, 'no TCP handle was created')
    t.equal(h.server, null, 'the app never listened')
    conn.close()
    // The app's read loop ends with the close, and logs that last.
    for (let i = 0; i < 250 && !stderr().includes(' read: '); i++) await new Promise((resolve) => setTimeout(resolve, 20))
    t.match(stderr(), /recv: Hello world!\n[^]* read: /, 'the app logged each message, then the end of its read loop')
  })
}

/** Collect what this process writes to stderr until the test ends; returns the text so far. */
function captureStderr (t: Test): () => string {
  let text = ''
  const write = process.stderr.write
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  }) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write })
  return () => text
}
