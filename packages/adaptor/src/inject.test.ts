import t from 'tap'
import { server } from '@hertz-node/router'
import { tcpResources } from '@hertz-node/test-kit/raw-tcp'
import * as adaptor from '@hertz-node/adaptor'

// h.inject (the router's in-memory requests) serves adaptor.handler routes: the wrapped Node handler gets a
// request and a response it can use as on a socket.

t.test('h.inject serves adaptor.handler routes: headers, streamed writes, request body, without a socket', async (t) => {
  const before = tcpResources()
  const h = server.Default()
  h.GET('/node', adaptor.handler((req, res) => {
    res.setHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({ url: req.url, ua: req.headers['user-agent'] }))
  }))
  h.GET('/chunks', adaptor.handler((_req, res) => {
    res.write('a')
    setTimeout(() => { res.write('b'); res.end('c') }, 5)
  }))
  h.POST('/echo', adaptor.handler((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (b: Buffer) => parts.push(b))
    req.on('end', () => { res.statusCode = 202; res.end(Buffer.concat(parts)) })
  }))

  let res = await h.inject({ url: '/node?x=1', headers: { 'user-agent': 'inject' } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { url: '/node?x=1', ua: 'inject' })
  res = await h.inject('/chunks')
  t.equal(res.body, 'abc')
  res = await h.inject({ method: 'POST', url: '/echo', payload: 'hello body' })
  t.equal(res.statusCode, 202)
  t.equal(res.body, 'hello body')
  t.same(tcpResources(), before, 'no TCP handle was created')
})
