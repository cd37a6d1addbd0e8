import t from 'tap'
import { Worker } from 'node:worker_threads'
import { clockTicksPerSec, parseSchedstatNanos, parseStatTicks, processCpuMicros, threadCpuMicros } from './proc-cpu.js'

// A real line of /proc/<pid>/stat (fields 1-22), with a command name that holds spaces and parentheses.
const LINE = '4242 (node (bench) x) S 1 4242 4242 0 -1 4194560 5314 0 0 0 137 29 0 0 20 0 11 0 123456 1234567 8901'

t.test('utime + stime are fields 14 and 15, counted from the last parenthesis', async (t) => {
  t.equal(parseStatTicks(LINE), 137 + 29)
  t.equal(parseStatTicks(LINE.replace('(node (bench) x)', '(node)')), 166)
})

t.test('a line that is not a stat line is refused', async (t) => {
  t.throws(() => parseStatTicks('no name here'), /no command name/)
  t.throws(() => parseStatTicks('1 (x) S 1'), /no utime\/stime/)
})

t.test('a schedstat line: the run time in nanoseconds is its first field', async (t) => {
  t.equal(parseSchedstatNanos('440211917 1374696775 1541\n'), 440211917)
  t.throws(() => parseSchedstatNanos('x y z'), /not a schedstat line/)
})

t.test('this process: CLK_TCK read once; CPU time from schedstat, finer than a tick, and it grows with work', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const hz = clockTicksPerSec()
  t.ok(Number.isInteger(hz) && hz > 0)
  t.equal(clockTicksPerSec(), hz)
  const before = processCpuMicros(process.pid)
  t.ok(before > 0)
  // About 20 ms of work: the kernel's figure must grow by about that much, and not in whole ticks only.
  const until = process.cpuUsage().user + 20_000
  while (process.cpuUsage().user < until) Math.sqrt(Math.random())
  const after = processCpuMicros(process.pid)
  t.ok(after - before >= 15_000, `grew by ${after - before} µs`)
  t.not(after % (1e6 / hz), 0, 'not a whole number of ticks: schedstat is read')
})

t.test('this process by thread: work on the main thread counts as main, work on a worker as the others', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const t0 = threadCpuMicros(process.pid)
  if (t0 === null) return t.fail('no schedstat on this Linux')
  const until = process.cpuUsage().user + 20_000
  while (process.cpuUsage().user < until) Math.sqrt(Math.random())
  const t1 = threadCpuMicros(process.pid) as { main: number, others: number }
  t.ok(t1.main - t0.main >= 15_000, `main grew by ${t1.main - t0.main} µs`)
  // A worker spins until its own thread (/proc/thread-self) has run 50 ms more, says so and stays: a thread that
  // ended is no longer listed. The main thread waits meanwhile.
  const worker = new Worker(`const { parentPort } = require('node:worker_threads')
    const { readFileSync } = require('node:fs')
    const own = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000
    const end = own() + 50_000; const t0 = Date.now()
    while (own() < end && Date.now() - t0 < 20_000) for (let i = 0; i < 100_000; i++) Math.sqrt(i)
    // Listening keeps the worker's thread alive until the test ends it.
    parentPort.on('message', () => {})
    parentPort.postMessage('spun')`, { eval: true })
  t.teardown(() => worker.terminate())
  await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject) })
  const t2 = threadCpuMicros(process.pid) as { main: number, others: number }
  t.ok(t2.others - t1.others >= 40_000, `the other threads grew by ${t2.others - t1.others} µs`)
  t.ok(Math.abs(processCpuMicros(process.pid) - (t2.main + t2.others)) < 50_000, 'the process total is the sum of both')
  t.equal(threadCpuMicros(2 ** 22 + 7), null, 'a process that does not exist has no threads')
})
