import t from 'tap'
import { correct, wsTestServer } from '../drivers/test-servers.js'
import { openEchoClient } from '../drivers/rate-ws.js'
import type { RateClient } from './pacing.js'
import { runTogether } from './together.js'

const LOAD = { rate: 400, warmSec: 0.05, sec: 0.2, maxInFlight: 100 }

/** A CPU reader that counts its reads: the window's two ends must each read it once. */
function countingReader (): { read: () => number, reads: () => number } {
  let n = 0
  return { read: () => (++n) * 1000, reads: () => n }
}

t.test('every server gets every operation, and its own window figures', async (t) => {
  const a = await wsTestServer(correct)
  const b = await wsTestServer(correct)
  t.teardown(a.close)
  t.teardown(b.close)
  const clients = [await openEchoClient(a.url, 2, 32), await openEchoClient(b.url, 3, 32)]
  const readers = [countingReader(), countingReader()]
  const results = await runTogether({ ...LOAD, primeOps: 10, primeConcurrency: 2 }, clients, readers.map((r) => r.read))
  t.equal(results.length, 2)
  for (const [k, r] of results.entries()) {
    t.same(r.problems, [], `server ${k}: no problems`)
    t.equal(readers[k]?.reads(), 2, `server ${k}: CPU read at the window's two ends only`)
    t.equal(r.cpuMicros, 1000, `server ${k}: the CPU time between the two reads`)
    t.equal(r.started, r.finished, `server ${k}: everything finished`)
    t.ok(r.started >= 10 + r.completed, `server ${k}: priming and warm-up beside the window (${r.started} started, ${r.completed} in the window)`)
    // Operations count in the window when they finish in it, so those still in flight when it opens count too -
    // more of them when a loaded host runs the opening tick late and it issues the overdue ones at once. What no
    // window can count is a priming operation (all finish before the warm-up) or one due after the window.
    const afterPriming = Math.ceil(LOAD.rate * (LOAD.warmSec + LOAD.sec))
    t.ok(r.completed > 0 && r.completed <= afterPriming, `server ${k}: ${r.completed} of ${r.scheduled.toFixed(1)} due in the window, at most the ${afterPriming} paced after priming`)
  }
  t.equal(results[0]?.started, results[1]?.started, 'the same operations on both')
  t.equal(results[0]?.scheduled, results[1]?.scheduled, 'one window for both')
  for (const c of clients) t.equal(await c.close(), null)
})

t.test('a failing server has the problem; the others are not blamed', async (t) => {
  const good = await wsTestServer(correct)
  const bad = await wsTestServer((ws, data, isBinary, n) => ws.send(n === 0 ? Buffer.alloc((data as Buffer).length) : data as Buffer, { binary: isBinary }))
  t.teardown(good.close)
  t.teardown(bad.close)
  const clients = [await openEchoClient(good.url, 1, 32), await openEchoClient(bad.url, 1, 32)]
  const [ok, broken] = await runTogether(LOAD, clients, [() => 0, () => 0])
  t.same(ok?.problems, [])
  t.match(broken?.problems[0], /^operation 0: message 0 came back altered/)
  t.equal(ok?.finished, ok?.started, 'the good server finished its operations')
  for (const c of clients) await c.close()
})

t.test('the first operation of each tick rotates over the servers', async (t) => {
  const firsts: number[] = []
  let lastSeq = -1
  const client = (k: number): RateClient => ({
    op: async (seq) => {
      if (seq !== lastSeq) { lastSeq = seq; firsts.push(k) }
    },
    close: async () => null
  })
  await runTogether({ ...LOAD, primeOps: 6, primeConcurrency: 1 }, [client(0), client(1), client(2)], [() => 0, () => 0, () => 0])
  t.same(firsts.slice(0, 6), [0, 1, 2, 0, 1, 2], 'operation seq starts on server seq mod 3')
})

t.test('a server that never answers is the one reported unfinished', async (t) => {
  const quick: RateClient = { op: async () => {}, close: async () => null }
  const stuck: RateClient = { op: () => new Promise<void>(() => {}), close: async () => null }
  const [q, s] = await runTogether({ ...LOAD, sec: 0.05, warmSec: 0, maxInFlight: 3, drainMs: 50 }, [quick, stuck], [() => 0, () => 0])
  t.same(q?.problems, [], 'the quick server is not blamed')
  t.equal(q?.finished, q?.started)
  t.match(s?.problems.at(-1), /^3 operations unfinished after the window closed$/)
  t.ok((q?.skipped ?? 0) > 0, 'the stuck server held the load back: operations were skipped')
})

t.test('one CPU reader per client', async (t) => {
  const c: RateClient = { op: async () => {}, close: async () => null }
  await t.rejects(runTogether(LOAD, [c, c], [() => 0]), RangeError)
  await t.rejects(runTogether(LOAD, [], []), RangeError)
})
