import t from 'tap'
import { clockTicksPerSec, parseStatTicks, processCpuMicros } from './proc-cpu.js'

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

t.test('this process: whole ticks, and CLK_TCK read once', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const hz = clockTicksPerSec()
  t.ok(Number.isInteger(hz) && hz > 0)
  t.equal(clockTicksPerSec(), hz)
  const us = processCpuMicros(process.pid)
  t.ok(us >= 0)
  t.equal(Math.round(us / (1e6 / hz)) * (1e6 / hz), us, 'a whole number of ticks')
})
