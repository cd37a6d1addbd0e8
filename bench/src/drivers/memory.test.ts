import t from 'tap'
import { runMemory } from './memory.js'
import { correct, wsTestServer } from './test-servers.js'

// These servers run in the test process, so the numbers mean little here; the mechanics are
// what is tested: the connection count, the deltas computed, lost connections reported.
const measure = async (): Promise<NodeJS.MemoryUsage> => process.memoryUsage()

t.test('opens, measures, checks and closes every connection', async (t) => {
  let seen = 0
  const server = await wsTestServer(correct, () => { seen++ })
  t.teardown(server.close)
  const r = await runMemory({ url: server.url, connections: 40, settleMs: 10 }, measure)
  t.same(r.problems, [])
  t.equal(r.connections, 40)
  t.equal(seen, 50 + 40, 'warm-up connections, then the measured ones')
  t.ok(Number.isFinite(r.rssPerConn) && Number.isFinite(r.heapPerConn) && Number.isFinite(r.externalPerConn))
})

t.test('idle connections the server lost are reported', async (t) => {
  let n = 0
  const server = await wsTestServer(correct, (ws) => { if (++n > 50 && n % 4 === 0) setTimeout(() => ws.terminate(), 5) })
  t.teardown(server.close)
  const r = await runMemory({ url: server.url, connections: 20, settleMs: 50, echoTimeoutMs: 300 }, measure)
  t.match(r.problems[0], /^5 of 20 idle connections did not echo correctly$/)
})
