import { createServer } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import t from 'tap'
import { checkEcho, checkHello } from './contract.js'
import { wsTestServer } from './drivers/test-servers.js'
import { start as startWsRaw } from './servers/ws-raw.js'
import { start as startWsRawLoop } from './servers/ws-raw-loop.js'
import { start as startWsCompat } from './servers/ws-compat.js'
import { start as startWsCompatLegacy } from './servers/ws-compat-legacy.js'
import { start as startWsCompatReturn } from './servers/ws-compat-return.js'
import { start as startRouterWs } from './servers/router-ws.js'
import { start as startRouter } from './servers/router.js'
import { start as startRouterAdaptor } from './servers/router-adaptor.js'
import { start as startRouterRes } from './servers/router-res.js'

const VARIANTS = [['ws-raw', startWsRaw], ['ws-raw-loop', startWsRawLoop], ['ws-compat', startWsCompat], ['ws-compat-legacy', startWsCompatLegacy], ['ws-compat-return', startWsCompatReturn], ['router-ws', startRouterWs]] as const
for (const [name, start] of VARIANTS) {
  t.test(`the ${name} variant meets the contract`, async (t) => {
    const server = await start('127.0.0.1', 0)
    t.teardown(server.close)
    const base = `http://127.0.0.1:${server.address.port}`
    t.same(await checkHello(base), [])
    t.same(await checkEcho(base.replace('http', 'ws')), [])
  })
}

/** The whole answer to one `GET /hello`, its Date line left out. */
async function rawHello (port: number): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', (d: string) => { text += d })
  socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  await new Promise((resolve, reject) => { socket.on('close', resolve); socket.on('error', reject) })
  return text.replace(/\r\nDate: [^\r]*/, '')
}

t.test('router-res answers with router-adaptor\'s bytes, the router with its own', async (t) => {
  const answers = new Map<string, string>()
  for (const [name, start] of [['router', startRouter], ['router-adaptor', startRouterAdaptor], ['router-res', startRouterRes]] as const) {
    const server = await start('127.0.0.1', 0)
    t.teardown(server.close)
    t.same(await checkHello(`http://127.0.0.1:${server.address.port}`), [], `${name} meets the contract`)
    answers.set(name, await rawHello(server.address.port))
  }
  t.match(answers.get('router-adaptor'), /^HTTP\/1\.1 200 OK\r\nServer: hertz\r\ncontent-type: application\/json; charset=utf-8\r\n/)
  t.equal(answers.get('router-res'), answers.get('router-adaptor'), 'the same head and body on the wire')
  t.match(answers.get('router'), /\r\nServer: hertz\r\n[^]*\r\n\r\n\{"hello":"world"\}$/)
})

t.test('a wrong /hello is reported', async (t) => {
  const server = createServer((_req, res) => { res.setHeader('content-type', 'text/plain'); res.end('{"hello": "world"}') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))
  const problems = await checkHello(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  t.same(problems, ['GET /hello: content-type "text/plain"', 'GET /hello: body "{\\"hello\\": \\"world\\"}"'])
})

t.test('an echo that loses empty messages is reported', async (t) => {
  const server = await wsTestServer((ws, data, isBinary) => { if ((data as Buffer).length > 0) ws.send(data as Buffer, { binary: isBinary }) })
  t.teardown(server.close)
  const problems = await checkEcho(server.url.replace('/echo', ''), 300)
  t.same(problems, ['echo: no echo within 300 ms'])
})
