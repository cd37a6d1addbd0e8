import t from 'tap'
import { parseOptions, rotate, SUITES } from './plan.js'

t.test('rotate shifts the order by the round, so no variant always runs first', async (t) => {
  t.same(rotate(['a', 'b', 'c'], 0), ['a', 'b', 'c'])
  t.same(rotate(['a', 'b', 'c'], 1), ['b', 'c', 'a'])
  t.same(rotate(['a', 'b', 'c'], 5), ['c', 'a', 'b'])
  t.same(rotate([], 3), [])
})

t.test('parseOptions', async (t) => {
  const all = parseOptions([])
  t.equal(all.quick, false)
  t.equal(all.variants.length, 8)
  t.notOk(all.variants.includes('ws-raw-loop'), 'diagnostic variants run only when named')
  t.same(parseOptions(['--only', 'ws-raw,ws-raw-loop']).variants, ['ws-raw', 'ws-raw-loop'])
  t.same(all.suites, SUITES)
  const some = parseOptions(['--quick', '--only', 'router,node-http', '--suites', 'http', '--rounds', '2', '--cpu-prof', '--tsx'])
  t.same([some.quick, some.variants, some.suites, some.rounds, some.cpuProf, some.tsx], [true, ['router', 'node-http'], ['http'], 2, true, true])
  t.same(parseOptions(['--report', 'x.json']).report, 'x.json')
  t.equal(all.ballastMb, 0)
  t.equal(parseOptions(['--ballast', '12']).ballastMb, 12)
  t.throws(() => parseOptions(['--ballast', '-1']), /whole number of MB/)
  t.throws(() => parseOptions(['--ballast', '1.5']), /whole number of MB/)
  t.throws(() => parseOptions(['--only', 'nginx']), /unknown variant nginx/)
  t.throws(() => parseOptions(['--suites', 'db']), /unknown suite db/)
  t.throws(() => parseOptions(['--rounds', '0']), /positive integer/)
  t.throws(() => parseOptions(['--rounds']), /needs a value/)
  t.throws(() => parseOptions(['--fast']), /unknown argument --fast/)
})
