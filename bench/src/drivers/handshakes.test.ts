import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
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
  // No 'upgrade' listener: node:http answers the upgrade request as a plain request, with a 404.
  const server = createServer((_req, res) => { res.statusCode = 404; res.end() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))
  const { port } = server.address() as AddressInfo
  const r = await runHandshakes({ url: `ws://127.0.0.1:${port}/echo`, concurrency: 1, durationSec: 5, maxHandshakes: 1 })
  t.match(r.problems[0], /Unexpected server response: 404/)
  t.equal(r.completed, 0)
})
