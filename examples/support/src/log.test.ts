import t from 'tap'
import { log, sprint, sprintf, sprintln } from './log.js'

t.test('sprint glues string operands, as fmt.Sprint does', async (t) => {
  t.equal(sprint('upgrade:', new Error('websocket: bad handshake')), 'upgrade:websocket: bad handshake')
  t.equal(sprint(1, 2, 'x', 3), '1 2x3')
  t.equal(sprint(), '')
})

t.test('sprintln always separates operands', async (t) => {
  t.equal(sprintln('read:', new Error('websocket: close 1000 (normal)')), 'read: websocket: close 1000 (normal)')
  t.equal(sprintln('a', 1, Buffer.from('b')), 'a 1 b')
})

t.test('sprintf formats %s %v %d %q %% and reports missing operands', async (t) => {
  t.equal(sprintf('recv: %s', Buffer.from('hi')), 'recv: hi')
  t.equal(sprintf('recv: %s', new Uint8Array([104, 105])), 'recv: hi')
  t.equal(sprintf('%v|%d|%q|%%', 'a', 2, 'q"'), 'a|2|"q\\""|%')
  t.equal(sprintf('%s %s', 'only'), 'only %!s(MISSING)')
})

t.test('the logger writes one line per call to stderr, with the date prefix unless flags are 0', async (t) => {
  const written: string[] = []
  const write = process.stderr.write
  process.stderr.write = ((chunk: string) => { written.push(chunk); return true }) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write; log.setFlags(3) })
  log.println('read:', 'x')
  log.setFlags(0)
  log.print('upgrade:', new Error('e'))
  log.printf('recv: %s\n', 'm')
  process.stderr.write = write
  t.match(written[0], /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d read: x\n$/)
  t.same(written.slice(1), ['upgrade:e\n', 'recv: m\n'])
})
