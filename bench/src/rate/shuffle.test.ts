import t from 'tap'
import { seededRandom, shuffle } from './shuffle.js'

const LIST = ['a', 'b', 'c', 'd', 'e', 'f'] as const

t.test('the same seed gives the same orders, round after round', async (t) => {
  const a = seededRandom(19)
  const b = seededRandom(19)
  const orders = [shuffle(LIST, a), shuffle(LIST, a), shuffle(LIST, a)]
  t.same([shuffle(LIST, b), shuffle(LIST, b), shuffle(LIST, b)], orders)
  t.ok(new Set(orders.map((o) => o.join())).size > 1, 'the order changes from round to round')
})

t.test('a shuffle is a permutation and leaves its input alone', async (t) => {
  const input = [...LIST]
  const out = shuffle(input, seededRandom(7))
  t.same([...out].sort(), [...LIST])
  t.same(input, LIST)
  t.same(shuffle([], seededRandom(1)), [])
})

t.test('the generator stays in [0, 1) and seeds differ', async (t) => {
  const r = seededRandom(0)
  for (let i = 0; i < 1000; i++) {
    const x = r()
    if (!(x >= 0 && x < 1)) t.fail(`out of range: ${x}`)
  }
  t.not(seededRandom(1)(), seededRandom(2)())
  // Every position is reached: over many shuffles each element lands first at least once.
  const firsts = new Set<string>()
  const rr = seededRandom(3)
  for (let i = 0; i < 200; i++) firsts.add(shuffle(LIST, rr)[0] as string)
  t.equal(firsts.size, LIST.length)
})
