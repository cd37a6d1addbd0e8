import t from 'tap'
import { Ticker, select } from './time.js'

t.test('select takes the tick that came and keeps the others for later', async (t) => {
  const fast = new Ticker(5)
  const never = new Ticker(1e9)
  t.teardown(() => { fast.stop(); never.stop() })
  t.equal(await select(never, fast), 1)
  t.equal(await select(never, fast), 1)
  fast.stop()
  t.equal(fast.take(), false, 'a taken tick is gone')
})
