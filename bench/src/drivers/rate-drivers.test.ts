import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { handshakeClient, openEchoClient } from './rate-ws.js'
import { openHttpClient, parseResponse } from './rate-http.js'
import { correct, wsTestServer } from './test-servers.js'
import type { PacedLoad, PacedResult, RateClient } from '../rate/pacing.js'
import { runTogether } from '../rate/together.js'

const LOAD = { rate: 400, warmSec: 0.05, sec: 0.1, maxInFlight: 100 }
const noCpu = (): number => 0

/** One client under the paced load, then closed; a problem closing it is the run's last problem. */
async function paced (load: PacedLoad, opening: Promise<RateClient> | RateClient): Promise<PacedResult> {
  const client = await opening
  const [r] = await runTogether(load, [client], [noCpu]) as [PacedResult]
  const closing = await client.close()
  if (closing !== null && r.problems.length === 0) r.problems.push(closing)
  return r
}
const echoAtRate = (url: string, connections: number, size: number, load: PacedLoad): Promise<PacedResult> => paced(load, openEchoClient(url, connections, size))
const httpAtRate = (url: string, connections: number, body: string, load: PacedLoad): Promise<PacedResult> => paced(load, openHttpClient(url, connections, body))

t.test('echo at a fixed rate: every echo checked, on several connections, both sizes', async (t) => {
  const server = await wsTestServer(correct)
  t.teardown(server.close)
  for (const size of [32, 16 * 1024]) {
    const r = await echoAtRate(server.url, 3, size, LOAD)
    t.same(r.problems, [], `${size} B`)
    t.ok(r.started > 0)
    t.equal(r.finished, r.started, 'every echo came back intact')
  }
})

t.test('an altered or retyped echo is a problem', async (t) => {
  // Message 0 is sent on the first tick whatever the machine does, so the tests aim at it.
  const altered = await wsTestServer((ws, data, isBinary, n) => ws.send(n === 0 ? Buffer.alloc((data as Buffer).length) : data as Buffer, { binary: isBinary }))
  t.teardown(altered.close)
  t.match((await echoAtRate(altered.url, 1, 32, LOAD)).problems[0], /message 0 came back altered/)
  const retyped = await wsTestServer((ws, data) => ws.send(data as Buffer, { binary: false }))
  t.teardown(retyped.close)
  t.match((await echoAtRate(retyped.url, 1, 32, LOAD)).problems[0], /message 0 sent as binary came back as text/)
})

t.test('handshakes at a fixed rate', async (t) => {
  const server = await wsTestServer(correct)
  t.teardown(server.close)
  const r = await paced({ ...LOAD, rate: 100 }, handshakeClient(server.url))
  t.same(r.problems, [])
  t.ok(r.started > 0)
  t.equal(r.finished, r.started)
})

t.test('HTTP at a fixed rate: bodies checked', async (t) => {
  let body = '{"hello":"world"}'
  const server = createServer((_req, res) => { res.end(body) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`
  const ok = await httpAtRate(url, 4, '{"hello":"world"}', LOAD)
  t.same(ok.problems, [])
  t.ok(ok.started > 0)
  t.equal(ok.finished, ok.started)
  body = 'nope'
  t.match((await httpAtRate(url, 4, '{"hello":"world"}', LOAD)).problems[0], /body "nope" is not/)
})

t.test('HTTP at a fixed rate: the connections take the requests in turn, none left idle', async (t) => {
  const perConnection = new Map<unknown, number>()
  const server = createServer((req, res) => {
    perConnection.set(req.socket, (perConnection.get(req.socket) ?? 0) + 1)
    res.end('{"hello":"world"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`
  // At this rate one request is answered long before the next is due (20 ms apart, even on a host loaded by the
  // other test files; 5 ms was not always enough there): a stack of free connections would have used only its top
  // one. About 30 requests, as at 200/s over the shorter window.
  const r = await httpAtRate(url, 5, '{"hello":"world"}', { ...LOAD, rate: 50, sec: 0.55 })
  t.same(r.problems, [])
  const counts = [...perConnection.values()]
  t.equal(counts.length, 5, 'every connection served requests')
  t.ok(Math.max(...counts) - Math.min(...counts) <= 1, `in turn: ${counts.join(', ')} requests`)
})

t.test('the HTTP client parses a response by its Content-Length, incomplete ones wait', async (t) => {
  const full = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 17\r\n\r\n{"hello":"world"}HTTP/1.1')
  t.same(parseResponse(full), { status: 200, body: '{"hello":"world"}', length: full.length - 'HTTP/1.1'.length })
  t.equal(parseResponse(full.subarray(0, 40)), undefined, 'head incomplete')
  t.equal(parseResponse(full.subarray(0, full.length - 12)), undefined, 'body incomplete')
  t.equal(parseResponse(Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'))?.status, 404)
  t.throws(() => parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')), /without Content-Length/)
})
