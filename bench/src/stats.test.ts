import t from 'tap'
import { LatencyRecorder, median, percentileOfSorted } from './stats.js'

t.test('nearest-rank percentiles', async (t) => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  t.equal(percentileOfSorted(sorted, 50), 5)
  t.equal(percentileOfSorted(sorted, 99), 10)
  t.equal(percentileOfSorted(sorted, 0), 1)
  t.ok(Number.isNaN(percentileOfSorted([], 50)))
})

t.test('median skips non-finite values', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.equal(median([NaN, 5]), 5)
  t.ok(Number.isNaN(median([])))
})

t.test('the recorder keeps at most its capacity and sorts numerically', async (t) => {
  const r = new LatencyRecorder(3)
  for (const v of [10, 2, 30, 4]) r.record(v)
  t.equal(r.count, 3)
  t.same(r.percentiles(0, 50, 100), [2, 10, 30])
})
