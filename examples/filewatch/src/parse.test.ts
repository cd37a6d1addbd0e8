import t from 'tap'
import { lastModOf, parseInt64Hex, zeroTime } from './filewatch.js'

t.test('parseInt64Hex accepts what strconv.ParseInt(s, 16, 64) accepts', async (t) => {
  t.equal(parseInt64Hex('18ee7770c7164fb0'), 0x18ee7770c7164fb0n)
  t.equal(parseInt64Hex('-ff'), -255n)
  t.equal(parseInt64Hex('+FF'), 255n)
  t.equal(parseInt64Hex('7fffffffffffffff'), (1n << 63n) - 1n)
  t.equal(parseInt64Hex('-8000000000000000'), -(1n << 63n))
  for (const bad of ['', '-', '0x10', '8000000000000000', '-8000000000000001', '1 ', 'g']) {
    t.equal(parseInt64Hex(bad), null, JSON.stringify(bad))
  }
})

t.test('lastModOf: the zero time when the value does not parse', async (t) => {
  t.equal(lastModOf('0'), 0n)
  t.equal(lastModOf(''), zeroTime)
  t.ok(zeroTime < -(1n << 63n), 'before any int64 time')
})
