import t from 'tap'
import { parseSubprotocols, selectSubprotocol } from './negotiate.js'

t.test('parseSubprotocols and selectSubprotocol', async (t) => {
  t.same(parseSubprotocols(undefined), [])
  t.same(parseSubprotocols('  '), [])
  t.same(parseSubprotocols(' chat , superchat,json '), ['chat', 'superchat', 'json'])
  const client = ['b', 'a', 'c']
  const server = ['a', 'b']
  t.equal(selectSubprotocol(client, server, 'client'), 'b', "gorilla: the client's first supported protocol")
  t.equal(selectSubprotocol(client, server, 'server'), 'a', "hertz-contrib: the server's first requested protocol")
  t.equal(selectSubprotocol(['x'], server, 'client'), '')
  t.equal(selectSubprotocol([], server, 'server'), '')
})
