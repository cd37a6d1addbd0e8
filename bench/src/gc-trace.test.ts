import t from 'tap'
import { parseGcLine } from './gc-trace.js'
import { startServer } from './spawn.js'

// Lines as node 20 printed them for the bench's servers.
const SCAVENGE = '[2256:0x2be1d9f0]    14417 ms: Scavenge 9.3 (16.0) -> 8.1 (16.0) MB, 1.81 / 0.00 ms  (average mu = 0.998, current mu = 0.999) allocation failure; '
const MAJOR = '[2256:0x2be1d9f0]    14417 ms: Mark-Compact 19.2 (51.2) -> 9.8 (51.0) MB, 1.55 / 0.01 ms  (+ 1.7 ms in 24 steps since start of marking, biggest step 0.3 ms, walltime since start of marking 7 ms) (average mu = 0.998, current mu = 0.999) finalize incremental marking via task; GC in old space requested'
const REDUCE = '[2254:0x7f6f70000f00]    16911 ms: Mark-Compact (reduce) 5.3 (9.0) -> 4.9 (6.5) MB, 7.75 / 0.00 ms  (+ 3.3 ms in 9 steps since start of marking, biggest step 2.7 ms, walltime since start of marking 14 ms) (average mu = 0.999, current mu = 0.999) finalize incremental marking via task; GC in old space requested'

t.test('a scavenge, a major GC and a memory-reducing one', async (t) => {
  t.same(parseGcLine(SCAVENGE), { atMs: 14417, collector: 'Scavenge', major: false, reduce: false, pauseMs: 1.81 })
  t.same(parseGcLine(MAJOR), { atMs: 14417, collector: 'Mark-Compact', major: true, reduce: false, pauseMs: 1.55 })
  t.same(parseGcLine(REDUCE), { atMs: 16911, collector: 'Mark-Compact', major: true, reduce: true, pauseMs: 7.75 })
  t.same(parseGcLine(MAJOR.replace('Mark-Compact', 'Minor Mark-Sweep')), { atMs: 14417, collector: 'Minor Mark-Sweep', major: false, reduce: false, pauseMs: 1.55 })
})

t.test('other lines are not GCs', async (t) => {
  t.equal(parseGcLine('listening on http://127.0.0.1:4000'), null)
  t.equal(parseGcLine('[2254:0x7f6f70000f00]    16911 ms: [IncrementalMarking] Start (memory reducer)'), null)
  t.equal(parseGcLine(''), null)
})

t.test('a server started with --trace-gc reports its GCs line by line', async (t) => {
  const lines: string[] = []
  const server = await startServer('ws-raw', { nodeFlags: ['--trace-gc'], onStdoutLine: (line) => lines.push(line) })
  t.teardown(() => server.stop())
  // The memory probe runs a full GC in the server first; its trace line follows on stdout.
  await server.memory()
  for (let i = 0; i < 50 && !lines.some((l) => parseGcLine(l)?.major === true); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  const majors = lines.map(parseGcLine).filter((g) => g?.major === true)
  t.ok(majors.length >= 1, `a major GC was reported (${lines.length} lines)`)
  t.ok(lines.every((l) => !l.includes('\n')), 'one line at a time')
})
