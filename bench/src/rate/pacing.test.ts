import t from 'tap'
import { achieved, dueBy, runPaced } from './pacing.js'

t.test('operation i is due i / rate seconds after the start', async (t) => {
  t.equal(dueBy(-1, 1000), 0)
  t.equal(dueBy(0, 1000), 1, 'operation 0 at once')
  t.equal(dueBy(0.999, 1000), 1)
  t.equal(dueBy(1, 1000), 2)
  t.equal(dueBy(1000, 200), 201, 'one second at 200/s: operations 0..200')
  t.equal(dueBy(2500, 10_000), 25_001)
  // A late tick catches up: everything due by then, not one per tick.
  t.equal(dueBy(50, 10_000) - dueBy(40, 10_000), 100)
})

t.test('achieved is completed / scheduled', async (t) => {
  t.equal(achieved({ completed: 97, scheduled: 100 }), 0.97)
  t.ok(Number.isNaN(achieved({ completed: 0, scheduled: 0 })))
})

t.test('a paced run starts operations in order, reads the CPU at both ends of the window', async (t) => {
  const seen: number[] = []
  let reads = 0
  const r = await runPaced({ rate: 2000, warmSec: 0.01, sec: 0.03, maxInFlight: 100 }, async (seq) => { seen.push(seq) }, () => ++reads * 1000)
  t.same(r.problems, [])
  t.equal(reads, 2)
  t.equal(r.cpuMicros, 1000)
  t.same(seen, seen.map((_, i) => i), 'sequence numbers 0, 1, 2, ... without gaps')
  t.ok(seen.length >= 1, 'operation 0 starts on the first tick')
  t.equal(r.started, seen.length)
  t.equal(r.finished, seen.length)
  t.ok(r.completed <= seen.length)
  t.equal(r.scheduled, (r.windowMs * 2000) / 1000)
  t.equal(r.skipped, 0)
})

t.test('failed operations are problems; operations beyond maxInFlight are skipped; unfinished ones reported', async (t) => {
  const failing = await runPaced({ rate: 1000, warmSec: 0, sec: 0.01, maxInFlight: 10 }, async (seq) => { throw new Error(`bad echo ${seq}`) }, () => 0)
  t.match(failing.problems[0], /^operation 0: bad echo 0$/)
  t.equal(failing.completed, 0)
  // At a billion per second more than one operation is due on the very first tick, whatever the machine does.
  const stuck = await runPaced({ rate: 1e9, warmSec: 0, sec: 0.02, maxInFlight: 1, drainMs: 10 }, () => new Promise<void>(() => {}), () => 0)
  t.equal(stuck.started, 1)
  t.ok(stuck.skipped > 0)
  t.match(stuck.problems, [/^1 operations unfinished 10 ms after the window closed$/])
})

t.test('priming operations run first, closed loop, and the paced ones follow in sequence', async (t) => {
  const seen: number[] = []
  let inFlight = 0
  let most = 0
  const op = async (seq: number): Promise<void> => {
    seen.push(seq)
    inFlight++
    if (seq < 50) most = Math.max(most, inFlight)
    await new Promise((resolve) => setImmediate(resolve))
    inFlight--
  }
  // Priming is over before the first paced operation starts, so its concurrency is measured alone.
  const r = await runPaced({ rate: 1000, warmSec: 0, sec: 0.01, maxInFlight: 100, primeOps: 50, primeConcurrency: 4 }, op, () => 0)
  t.same(r.problems, [])
  t.same(seen.slice(0, 50), Array.from({ length: 50 }, (_, i) => i))
  t.equal(seen[50], 50, 'the paced operations continue the sequence')
  t.equal(r.started, seen.length - 50, 'started counts the paced operations')
  t.equal(most, 4, 'priming keeps 4 in flight')
  const failing = await runPaced({ rate: 1000, warmSec: 0, sec: 0.01, maxInFlight: 10, primeOps: 5, primeConcurrency: 2 }, async () => { throw new Error('refused') }, () => 0)
  t.match(failing.problems, [/^priming operation 0: refused$/])
  t.equal(failing.started, 0)
})
