import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { HertzErrorCode, toNodeHandler, toNodeUpgradeHandler } from '../index.js'
import { MemoryLogger, New } from '@hertz-node/test-kit/router'
import { openSocket, readUntil } from '@hertz-node/test-kit/raw-tcp'

const UPGRADE = 'GET /raw HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: raw\r\n\r\n'

async function listen (t: Test, handler: ReturnType<typeof toNodeHandler>, upgrade: ReturnType<typeof toNodeUpgradeHandler>): Promise<number> {
  const s = createServer(handler)
  s.on('upgrade', upgrade)
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  t.teardown(() => { s.closeAllConnections(); s.close() })
  return (s.address() as AddressInfo).port
}

t.test('toNodeHandler refuses what is not an engine with HERTZ_ERR_BAD_OPTION', async t => {
  for (const make of [toNodeHandler, toNodeUpgradeHandler]) {
    for (const bad of [null, {}, { handleRequest () {}, handleUpgrade () {} }]) {
      t.throws(() => make(bad as never), { name: 'HertzError', code: HertzErrorCode.BAD_OPTION }, make.name)
    }
  }
})

t.test('a plain node:http server starts the engine on its first request and carries hijacks', async t => {
  const h = New()
  h.logger = new MemoryLogger()
  let runs = 0
  h.onRun.push(() => { runs++ })
  h.GET('/hello', (_ctx, c) => { c.string(200, 'hello') })
  h.GET('/raw', (_ctx, c) => {
    c.setStatusCode(101)
    c.header('Upgrade', 'raw')
    c.header('Connection', 'Upgrade')
    c.hijack(async conn => { await conn.write('hijacked') })
  })
  const port = await listen(t, toNodeHandler(h), toNodeUpgradeHandler(h))
  t.teardown(() => h.close())
  t.equal(await (await fetch(`http://127.0.0.1:${port}/hello`)).text(), 'hello')
  const s = await openSocket(t, port)
  s.write(UPGRADE)
  t.match(await readUntil(s, x => x.endsWith('hijacked')), /^HTTP\/1\.1 101 Switching Protocols\r\n[^]*\r\n\r\nhijacked$/)
  t.equal(runs, 1, 'one start for both listeners')
  t.ok(h.isRunning())
})

t.test('an engine that cannot start: plain and upgrade requests answered 500', async t => {
  const h = New()
  const logger = new MemoryLogger()
  h.logger = logger
  h.register(async function brokenPlugin () { throw new Error('unreachable') })
  const port = await listen(t, toNodeHandler(h), toNodeUpgradeHandler(h))
  t.equal((await fetch(`http://127.0.0.1:${port}/x`)).status, 500)
  const s = await openSocket(t, port)
  s.write(UPGRADE)
  t.match(await readUntil(s, x => x.endsWith('Internal Server Error')), /^HTTP\/1\.1 500 Internal Server Error\r\n[^]*Connection: close\r\n/)
  t.match(logger.text(), /could not start[^]*caused by: Error: unreachable/, 'the cause is in the log')
})
