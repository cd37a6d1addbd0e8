import t from 'tap'
import { parseSideBySide, ratiosToFirst } from './side-by-side.js'

t.test('the command line: variants, windows, seconds, rate', async t => {
  t.same(parseSideBySide([]), { workload: 'handshakes', variants: ['ws-raw', 'ws-compat', 'ws-compat-legacy'], windows: 8, sec: 5, rate: 200 })
  t.same(parseSideBySide(['ws-raw,router-ws', '--windows', '3', '--sec', '2', '--rate', '100']),
    { workload: 'handshakes', variants: ['ws-raw', 'router-ws'], windows: 3, sec: 2, rate: 100 })
  t.throws(() => parseSideBySide(['node-http']), /'node-http' is not a WebSocket variant \(workload handshakes\)/)
  t.throws(() => parseSideBySide(['nope']), /'nope' is not a WebSocket variant/)
  t.throws(() => parseSideBySide(['ws-raw,ws-raw']), /named twice/)
  t.throws(() => parseSideBySide(['--rate', '0']), /--rate must be a positive number/)
  t.throws(() => parseSideBySide(['--bogus']), /unknown argument --bogus/)
})

t.test('the workload: its variants, and its rate from the fixed-rate suite', async t => {
  t.same(parseSideBySide(['--workload', 'http']),
    { workload: 'http', variants: ['node-http', 'router', 'router-adaptor', 'fastify'], windows: 8, sec: 5, rate: 5000 })
  t.same(parseSideBySide(['--workload', 'echo32', 'ws-raw,ws-raw-loop,ws-compat']),
    { workload: 'echo32', variants: ['ws-raw', 'ws-raw-loop', 'ws-compat'], windows: 8, sec: 5, rate: 10_000 })
  t.same(parseSideBySide(['--workload', 'echo16k', '--rate', '500']).rate, 500)
  t.same(parseSideBySide(['--workload', 'echo16k']).variants, ['ws-raw', 'ws-compat', 'ws-compat-legacy'])
  t.throws(() => parseSideBySide(['--workload', 'http', 'ws-raw']), /'ws-raw' is not an HTTP variant \(workload http\)/)
  t.throws(() => parseSideBySide(['--workload', 'echo']), /unknown workload 'echo'/)
  t.throws(() => parseSideBySide(['--workload']), /unknown workload 'undefined'/)
})

t.test('ratios are taken window by window, then their median', async t => {
  const { ratios, medians } = ratiosToFirst([[100, 110, 130], [200, 210, 220], [100, 105, 150]])
  t.same(ratios.map(r => r.map(x => Number(x.toFixed(3)))), [[1, 1.1, 1.3], [1, 1.05, 1.1], [1, 1.05, 1.5]])
  t.same(medians.map(x => Number(x.toFixed(3))), [1, 1.05, 1.3])
})
