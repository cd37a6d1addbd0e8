import t from 'tap'
import { parseSideBySide, ratiosToFirst } from './side-by-side.js'

t.test('the command line: variants, windows, seconds, rate', async t => {
  t.same(parseSideBySide([]), { variants: ['ws-raw', 'ws-compat', 'ws-compat-legacy'], windows: 8, sec: 5, rate: 200 })
  t.same(parseSideBySide(['ws-raw,router-ws', '--windows', '3', '--sec', '2', '--rate', '100']),
    { variants: ['ws-raw', 'router-ws'], windows: 3, sec: 2, rate: 100 })
  t.throws(() => parseSideBySide(['node-http']), /'node-http' is not a WebSocket variant/)
  t.throws(() => parseSideBySide(['nope']), /'nope' is not a WebSocket variant/)
  t.throws(() => parseSideBySide(['ws-raw,ws-raw']), /named twice/)
  t.throws(() => parseSideBySide(['--rate', '0']), /--rate must be a positive number/)
  t.throws(() => parseSideBySide(['--bogus']), /unknown argument --bogus/)
})

t.test('ratios are taken window by window, then their median', async t => {
  const { ratios, medians } = ratiosToFirst([[100, 110, 130], [200, 210, 220], [100, 105, 150]])
  t.same(ratios.map(r => r.map(x => Number(x.toFixed(3)))), [[1, 1.1, 1.3], [1, 1.05, 1.1], [1, 1.05, 1.5]])
  t.same(medians.map(x => Number(x.toFixed(3))), [1, 1.05, 1.3])
})
