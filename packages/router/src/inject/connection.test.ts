import t from 'tap'
import { request, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { server, HertzError, HertzErrorCode } from '../index.js'
import { MemoryLogger } from '@hertz-node/test-kit/router'
import { tcpResources } from '@hertz-node/test-kit/raw-tcp'

/** `GET path` over `conn` with node's own HTTP client: the answer, or the upgraded socket for a 101. */
function get (conn: Duplex, path: string, headers: Record<string, string> = {}): Promise<{ res: IncomingMessage, body: string, socket?: Duplex, head?: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ createConnection: () => conn as never, path, headers })
    req.on('error', reject)
    req.on('upgrade', (res, socket, head) => { resolve({ res, body: '', socket, head }) })
    req.on('response', res => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (d: string) => { body += d })
      res.on('end', () => { resolve({ res, body }) })
    })
    req.end()
  })
}

function lineEcho (h: ReturnType<typeof server.New>): void {
  h.GET('/raw', (_ctx, c) => {
    c.setStatusCode(101)
    c.header('Upgrade', 'line-echo')
    c.header('Connection', 'Upgrade')
    c.hijack(async conn => {
      for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) await conn.write(chunk)
    })
  })
}

t.test('injectConnection: node:http requests and a hijacked upgrade, in memory, with no TCP handle', async t => {
  const before = tcpResources()
  const h = server.New()
  h.logger = new MemoryLogger()
  h.GET('/hello', (_ctx, c) => { c.string(200, 'hello %s', c.clientIP()) })
  lineEcho(h)

  const plain = await get(await h.injectConnection(), '/hello')
  t.equal(plain.res.statusCode, 200)
  t.equal(plain.body, 'hello 127.0.0.1')

  const up = await get(await h.injectConnection(), '/raw', { Connection: 'Upgrade', Upgrade: 'line-echo' })
  t.equal(up.res.statusCode, 101)
  const socket = up.socket as Duplex
  socket.write('ping\n')
  const echoed = await new Promise<string>(resolve => { socket.once('data', (d: Buffer) => { resolve(d.toString()) }) })
  t.equal(echoed, 'ping\n')
  t.equal(h.server, null, 'no node:http server of the engine was created')
  t.same(tcpResources(), before, 'no TCP handle was created')
  socket.end()
  await new Promise(resolve => socket.once('close', resolve))
})

t.test('injectConnection: an upgrade nobody takes gets its answer and the connection closes', async t => {
  const h = server.New()
  const r = await get(await h.injectConnection(), '/missing', { Connection: 'Upgrade', Upgrade: 'websocket' })
  t.equal(r.res.statusCode, 404)
  t.equal(r.body, 'Not Found')
})

t.test('injectConnection: h.close() ends an upgraded connection', async t => {
  const h = server.New()
  lineEcho(h)
  const up = await get(await h.injectConnection(), '/raw', { Connection: 'Upgrade', Upgrade: 'line-echo' })
  const socket = up.socket as Duplex
  const closed = new Promise(resolve => socket.once('close', resolve))
  socket.resume()
  await h.close()
  await closed
  t.ok(socket.destroyed)
})

t.test('injectConnection rejects with the plugin error when a plugin fails to load', async t => {
  const h = server.New()
  h.register(() => { throw new Error('no db') })
  const err = await h.injectConnection().then(() => null, (e: unknown) => e)
  t.ok(err instanceof HertzError)
  t.equal((err as HertzError).code, HertzErrorCode.PLUGIN_FAILED)
})
