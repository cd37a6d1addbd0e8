import t from 'tap'
import { AddrError, joinHostPort, splitHostPort } from './net.js'

t.test('splitHostPort accepts name, IPv4, bracketed IPv6 and empty hosts', async (t) => {
  t.same(splitHostPort('localhost:8080'), { host: 'localhost', port: 8080 })
  t.same(splitHostPort('127.0.0.1:0'), { host: '127.0.0.1', port: 0 })
  t.same(splitHostPort('[::1]:65535'), { host: '::1', port: 65535 })
  t.same(splitHostPort(':8080'), { host: '', port: 8080 })
})

t.test('splitHostPort rejects what Go rejects, naming the address', async (t) => {
  const cases: Array<[string, string]> = [
    ['localhost', 'address localhost: missing port in address'],
    ['::1:80', 'address ::1:80: too many colons in address'],
    ['[::1:80', "address [::1:80: missing ']' in address"],
    ['a]b:80', 'address a]b:80: unexpected bracket in address'],
    ['h:', 'address h:: invalid port'],
    ['h:http', 'address h:http: invalid port'],
    ['h:65536', 'address h:65536: invalid port'],
    ['h:-1', 'address h:-1: invalid port']
  ]
  for (const [addr, message] of cases) {
    t.throws(() => splitHostPort(addr), new AddrError(addr, message.slice(`address ${addr}: `.length)), addr)
    t.throws(() => splitHostPort(addr), { message }, addr)
  }
})

t.test('joinHostPort brackets IPv6 only', async (t) => {
  t.equal(joinHostPort('::1', 80), '[::1]:80')
  t.equal(joinHostPort('127.0.0.1', 80), '127.0.0.1:80')
  t.equal(joinHostPort('', 80), ':80')
})
