import t from 'tap'
import { startServer } from './spawn.js'

t.test('--ballast makes a server keep that much more heap, measured inside it', async (t) => {
  const plain = await startServer('ws-raw')
  t.teardown(() => plain.stop())
  const weighted = await startServer('ws-raw', { ballastMb: 8 })
  t.teardown(() => weighted.stop())
  const [a, b] = await Promise.all([plain.memory(), weighted.memory()])
  const extraMb = (b.heapUsed - a.heapUsed) / 1024 / 1024
  t.ok(extraMb > 6 && extraMb < 12, `heap difference ${extraMb.toFixed(1)} MB for an 8 MB ballast`)
  t.equal(weighted.failure, null)
})
