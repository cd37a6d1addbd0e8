import t, { type Test } from 'tap'
import { correct, wsTestServer, type Behaviour } from './test-servers.js'
import { payload, runEcho, stamp, type EchoLoad } from './ws-echo.js'

const load = (url: string, over: Partial<EchoLoad> = {}): EchoLoad => ({
  url, connections: 3, inFlight: 4, size: 32, durationSec: 0.3, maxMessages: 1_000_000, drainTimeoutMs: 500, ...over
})

async function echoAgainst (t: Test, behaviour: Behaviour, over: Partial<EchoLoad> = {}) {
  const server = await wsTestServer(behaviour)
  t.teardown(server.close)
  return runEcho(load(server.url, over))
}

t.test('stamp and payload', async (t) => {
  const buf = payload(12, 1)
  t.equal(buf.subarray(8).toString(), 'jklm')
  stamp(buf, 0x1234abcd)
  t.equal(buf.subarray(0, 8).toString(), '1234abcd')
})

t.test('a correct echo server: every message comes back, no problem', async (t) => {
  for (const size of [32, 16 * 1024]) {
    const r = await echoAgainst(t, correct, { size })
    t.same(r.problems, [], `${size} B`)
    t.ok(r.received > 0)
    t.equal(r.received, r.sent, 'every message sent was echoed')
    t.ok(r.p50Ms <= r.p99Ms)
  }
})

t.test('the run stops at the message budget', async (t) => {
  const r = await echoAgainst(t, correct, { durationSec: 30, maxMessages: 101 })
  t.same(r.problems, [])
  t.equal(r.sent, 101)
  t.equal(r.received, 101)
})

t.test('a server that changes the message type is caught', async (t) => {
  const r = await echoAgainst(t, (ws, data, isBinary) => ws.send(data as Buffer, { binary: !isBinary }))
  t.ok(r.problems.length > 0)
  t.match(r.problems[0], /message 0 sent as binary came back as text/)
})

t.test('a server that alters one byte of one message is caught', async (t) => {
  const r = await echoAgainst(t, (ws, data, isBinary, n) => {
    const buf = Buffer.from(data as Buffer)
    if (n === 5) buf[buf.length - 1] = 0x21
    ws.send(buf, { binary: isBinary })
  })
  t.match(r.problems.join('\n'), /message 5 came back altered/)
})

t.test('a server that skips one echo is caught', async (t) => {
  const r = await echoAgainst(t, (ws, data, isBinary, n) => { if (n !== 2) ws.send(data as Buffer, { binary: isBinary }) })
  // Message 3 arrives where 2 was expected: caught by its type (types alternate) or its bytes.
  t.match(r.problems.join('\n'), /connection \d: message 2 (sent as binary came back as text|came back altered)/)
})

t.test('a server that echoes twice is caught', async (t) => {
  const r = await echoAgainst(t, (ws, data, isBinary, n) => {
    ws.send(data as Buffer, { binary: isBinary })
    if (n === 0) ws.send(data as Buffer, { binary: isBinary })
  }, { maxMessages: 3, connections: 1 })
  t.match(r.problems.join('\n'), /connection 0: message 1 (sent as text came back as binary|came back altered)/)
})

t.test('a server that stops answering is caught within the bounded drain', async (t) => {
  const r = await echoAgainst(t, (ws, data, isBinary, n) => { if (n < 10) ws.send(data as Buffer, { binary: isBinary }) })
  t.match(r.problems.join('\n'), /echoes not received 500 ms after sending stopped/)
})

t.test('a server that drops the connection is caught', async (t) => {
  const r = await echoAgainst(t, (ws, data, isBinary, n) => {
    if (n === 3) ws.terminate()
    else ws.send(data as Buffer, { binary: isBinary })
  })
  t.match(r.problems.join('\n'), /closed by the server \(1006\)/)
})
