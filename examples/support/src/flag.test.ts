import t from 'tap'
import { FlagError, FlagSet } from './flag.js'

function fresh (): { set: FlagSet, addr: { value: string } } {
  const set = new FlagSet('echo')
  return { set, addr: set.string('addr', 'localhost:8080', 'http service address') }
}

t.test('the default stands when the flag is absent', async (t) => {
  const { set, addr } = fresh()
  set.parse([])
  t.equal(addr.value, 'localhost:8080')
})

t.test('every spelling Go accepts, plus --', async (t) => {
  for (const args of [['--addr', '127.0.0.1:0'], ['--addr=127.0.0.1:0'], ['-addr', '127.0.0.1:0'], ['-addr=127.0.0.1:0']]) {
    const { set, addr } = fresh()
    set.parse(args)
    t.equal(addr.value, '127.0.0.1:0', args.join(' '))
    t.same(set.args(), [])
  }
})

t.test('parsing stops at the first non-flag and after --', async (t) => {
  const a = fresh()
  a.set.parse(['x', '--addr', 'h:1'])
  t.equal(a.addr.value, 'localhost:8080')
  t.same(a.set.args(), ['x', '--addr', 'h:1'])
  const b = fresh()
  b.set.parse(['--addr', 'h:1', '--', '--addr', 'h:2'])
  t.equal(b.addr.value, 'h:1')
  t.same(b.set.args(), ['--addr', 'h:2'])
})

t.test('an empty value is a value', async (t) => {
  const { set, addr } = fresh()
  set.parse(['--addr='])
  t.equal(addr.value, '')
})

t.test('bad command lines throw FlagError with Go messages', async (t) => {
  const cases: Array<[string[], string, 'help' | 'invalid']> = [
    [['--port', '1'], 'flag provided but not defined: -port', 'invalid'],
    [['--addr'], 'flag needs an argument: -addr', 'invalid'],
    [['---addr', 'x'], 'bad flag syntax: ---addr', 'invalid'],
    [['-=x'], 'bad flag syntax: -=x', 'invalid'],
    [['-h'], 'flag: help requested', 'help'],
    [['--help'], 'flag: help requested', 'help']
  ]
  for (const [args, message, kind] of cases) {
    const { set } = fresh()
    t.throws(() => set.parse(args), new FlagError(message, kind), args.join(' '))
    try { set.parse(args) } catch (err) { t.equal((err as FlagError).kind, kind) }
  }
})

t.test('usage lists the flags with their defaults; redefinition is refused', async (t) => {
  const { set } = fresh()
  t.equal(set.usage(), 'Usage of echo:\n  -addr string\n    \thttp service address (default "localhost:8080")\n')
  t.throws(() => set.string('addr', '', ''), /flag redefined: addr/)
})
