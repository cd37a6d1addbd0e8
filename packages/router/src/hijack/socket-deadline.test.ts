import t from 'tap'
import type { Test } from 'tap'
import { createServer, connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { performance } from 'node:perf_hooks'
import { SocketDeadline } from './socket-deadline.js'

/** `n` connected TCP sockets on 127.0.0.1 (the server's ends), each closed at teardown. */
async function serverSockets (t: Test, n: number): Promise<Socket[]> {
  const accepted: Socket[] = []
  const server = createServer((s) => { accepted.push(s) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  const clients: Socket[] = []
  for (let i = 0; i < n; i++) {
    const c = connect(port, '127.0.0.1')
    c.on('error', () => {})
    clients.push(c)
    await once(c, 'connect')
  }
  while (accepted.length < n) await new Promise((resolve) => setImmediate(resolve))
  t.teardown(() => {
    for (const s of [...clients, ...accepted]) s.destroy()
    server.close()
  })
  return accepted
}

/** When `s` closes, in ms from `start`. */
function closedAt (s: Socket, start: number): Promise<number> {
  return once(s, 'close').then(() => performance.now() - start)
}

t.test('each socket is destroyed at its own deadline, an earlier one re-arms the shared timer', async (t) => {
  const [late, early, kept] = await serverSockets(t, 3) as [Socket, Socket, Socket]
  const start = performance.now()
  const lateClosed = closedAt(late, start)
  const earlyClosed = closedAt(early, start)
  new SocketDeadline(late).start(300)
  new SocketDeadline(early).start(60) // earlier than the armed timer
  const keptDeadline = new SocketDeadline(kept)
  keptDeadline.start(150)
  kept.destroy() // closes in time: no deadline left for it
  await once(kept, 'close')
  keptDeadline.cancel()

  const e = await earlyClosed
  const l = await lateClosed
  t.ok(e >= 55, `the early socket lived to its deadline (${e.toFixed(0)} ms)`)
  t.ok(e < l, 'and was destroyed before the late one')
  t.ok(l >= 295, `the late socket lived to its deadline (${l.toFixed(0)} ms)`)
  t.ok(early.destroyed && late.destroyed)
})

t.test('a socket that closes in time is left alone, and the next deadline still holds', async (t) => {
  const [first, second] = await serverSockets(t, 2) as [Socket, Socket]
  const firstDeadline = new SocketDeadline(first)
  firstDeadline.start(100)
  first.end()
  first.destroy()
  await once(first, 'close')
  firstDeadline.cancel()
  firstDeadline.cancel() // idempotent
  const secondDeadline = new SocketDeadline(second)
  secondDeadline.cancel() // never started: nothing happens
  t.notOk(second.destroyed)

  const start = performance.now()
  const secondClosed = closedAt(second, start)
  secondDeadline.start(120)
  const s = await secondClosed
  t.ok(s >= 115, `destroyed at its deadline (${s.toFixed(0)} ms), not at the first socket's`)
})

t.test('starting again moves the deadline; the middle of the list can leave it', async (t) => {
  const [a, b, c] = await serverSockets(t, 3) as [Socket, Socket, Socket]
  const start = performance.now()
  const aClosed = closedAt(a, start)
  const cClosed = closedAt(c, start)
  const da = new SocketDeadline(a)
  const db = new SocketDeadline(b)
  const dc = new SocketDeadline(c)
  da.start(40)
  db.start(60)
  dc.start(80)
  db.cancel() // from the middle
  da.start(150) // moved later: off the head, onto the tail
  const cAt = await cClosed
  const aAt = await aClosed
  t.ok(cAt >= 75 && cAt < aAt, `c at its deadline (${cAt.toFixed(0)} ms), before a`)
  t.ok(aAt >= 145, `a at its moved deadline (${aAt.toFixed(0)} ms)`)
  await new Promise((resolve) => setTimeout(resolve, 30))
  t.notOk(b.destroyed, 'b, cancelled, was left alone')
})
