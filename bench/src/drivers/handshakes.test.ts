import t from 'tap'
import { runHandshakes } from './handshakes.js'
import { correct, wsTestServer } from './test-servers.js'

t.test('complete cycles against a correct server, bounded by count', async (t) => {
  const server = await wsTestServer(correct)
  t.teardown(server.close)
  const r = await runHandshakes({ url: server.url, concurrency: 4, durationSec: 30, maxHandshakes: 40 })
  t.same(r.problems, [])
  t.equal(r.completed, 40)
  t.ok(r.perSec > 0)
  t.ok(r.p50Ms <= r.p99Ms)
})

t.test('a wrong echo during a cycle is a problem', async (t) => {
  const server = await wsTestServer((ws) => ws.send('something else'))
  t.teardown(server.close)
  const r = await runHandshakes({ url: server.url, concurrency: 2, durationSec: 5, maxHandshakes: 10 })
  t.match(r.problems[0], /echo mismatch: sent "hello \d+", got "something else"/)
})

t.test('a refused upgrade is a problem', async (t) => {
  const server = await wsTestServer(correct)
  t.teardown(server.close)
  const r = await runHandshakes({ url: server.url.replace('ws://', 'ws://').replace(/:\d+\//, ':1/'), concurrency: 1, durationSec: 5, maxHandshakes: 1 })
  t.match(r.problems[0], /ECONNREFUSED/)
})
