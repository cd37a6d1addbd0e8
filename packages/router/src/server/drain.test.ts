import t from 'tap'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'
import { start, MemoryLogger } from '@hertz-node/test-kit/router'
import { openSocket, readUntil, closed } from '@hertz-node/test-kit/raw-tcp'
import { sleep } from '@hertz-node/test-kit/teardown'
import { openShutdownScene, expectGracefulDrain, gatedRouter } from '@hertz-node/test-kit/drain'

t.test('shutdown closes unused and idle connections at once, busy ones after their response', async t => {
  const { h, release, busyStarted, peers, idle } = gatedRouter()
  const { port, logger } = await start(t, h)
  const scene = await openShutdownScene(t, port, idle, '/busy')
  await busyStarted
  // A response whose keep-alive head went out before the shutdown began.
  const stream = await openSocket(t, port)
  stream.write('GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n')
  t.match(await readUntil(stream, x => x.endsWith('1\r\na\r\n')), /\r\nConnection: keep-alive\r\n/i)
  // A keep-alive connection whose next request head is still on its way when the shutdown begins.
  const partial = await openSocket(t, port)
  partial.write('GET /idle HTTP/1.1\r\nHost: localhost\r\n\r\n')
  await readUntil(partial, x => x.endsWith('idle'))
  const peer = peers[peers.length - 1] as Socket
  const before = peer.bytesRead
  partial.write('GET /idle HTTP/1.1\r\nHo')
  while (peer.bytesRead === before) await sleep(5)

  await expectGracefulDrain(t, scene, h.shutdown(), {
    release,
    logger,
    meanwhile: async () => {
      partial.write('st: localhost\r\n\r\n')
      const both = await readUntil(partial, x => x.split('\r\n\r\nidle').length === 3)
      const late = both.slice(both.indexOf('\r\n\r\nidle') + 8)
      t.match(late, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\nConnection: close\r\n/, 'a request completed during the drain is answered with Connection: close')
      await closed(partial)
    }
  })
  t.match(await readUntil(stream, x => x.endsWith('0\r\n\r\n')), /1\r\na\r\n1\r\nb\r\n0\r\n\r\n$/, 'the streamed response is complete')
  await closed(stream)
})

t.test('unmount drains the connections of the host server given to mount()', async t => {
  const { h, release, busyStarted, idle } = gatedRouter()
  const logger = new MemoryLogger()
  h.logger = logger
  const host: Server = createServer((req, res) => { void h.handleRequest(req, res) })
  await h.mount(host)
  host.listen(0, '127.0.0.1')
  await once(host, 'listening')
  t.teardown(() => { host.closeAllConnections(); host.close() })
  const scene = await openShutdownScene(t, (host.address() as AddressInfo).port, idle, '/busy')
  await busyStarted

  await expectGracefulDrain(t, scene, h.unmount(), { release, logger })
  // Nothing is left open to hold up the host's own close.
  await new Promise<void>((resolve, reject) => { host.close(err => { if (err !== undefined) reject(err); else resolve() }) })
})
