import t from 'tap'
import { formatUrl, parseAddr } from './host-port.js'

t.test('parseAddr', async (t) => {
  t.same(parseAddr('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 })
  t.same(parseAddr(':0'), { host: '127.0.0.1', port: 0 })
  t.same(parseAddr('[::1]:9'), { host: '::1', port: 9 })
  t.throws(() => parseAddr('localhost'), /expected HOST:PORT/)
  t.throws(() => parseAddr('h:70000'), /out of range/)
})

t.test('formatUrl brackets IPv6 hosts', async (t) => {
  t.equal(formatUrl('127.0.0.1', 80), 'http://127.0.0.1:80')
  t.equal(formatUrl('::1', 80), 'http://[::1]:80')
})
