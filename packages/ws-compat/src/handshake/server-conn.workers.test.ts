/**
 * spin() with two workers (withWorkers(2)): WebSockets on both paths are served by both workers, and SIGTERM to the
 * primary closes every one of them with 1001 "going away" before the primary exits 0.
 */
import t, { type Test } from 'tap'
import { once } from 'node:events'
import WebSocket from 'ws'
import { SPIN_FIXTURE, logged, spinScript } from '@hertz-node/test-kit/spin'
import { CloseGoingAway } from '../constants.js'

const APP = SPIN_FIXTURE

interface Open {
  ws: WebSocket
  pid: string
  code: Promise<number>
}

async function open (t: Test, url: string): Promise<Open> {
  const ws = new WebSocket(url)
  t.teardown(() => ws.terminate())
  let pid = ''
  ws.once('upgrade', (res: { headers: Record<string, string> }) => { pid = res.headers['x-pid'] ?? '' })
  await once(ws, 'open')
  const code = new Promise<number>((resolve) => ws.once('close', (c: number) => resolve(c)))
  ws.send('ping')
  const [data] = (await once(ws, 'message')) as [Buffer]
  t.equal(data.toString(), 'ping')
  return { ws, pid, code }
}

t.test('workers: WebSockets on both paths in both workers all get 1001 on SIGTERM, and the primary exits 0', async (t) => {
  const app = await spinScript(t, APP, { WORKERS: '2', EXIT_WAIT: '10000' },
    /Primary pid=\d+: 2 workers listening on address=127\.0\.0\.1:(\d+)/)
  const live = new Map<string, Open>()
  // Two of each path in a row: the primary deals connections out to the workers in turn.
  for (let i = 0; i < 40 && live.size < 4; i++) {
    const path = i % 4 < 2 ? '/legacy' : '/recommended'
    const o = await open(t, `ws://127.0.0.1:${app.port}${path}`)
    const key = `${path} in ${o.pid}`
    if (live.has(key)) o.ws.terminate()
    else live.set(key, o)
  }
  t.equal(live.size, 4, 'each path has a WebSocket in each worker')
  t.equal(new Set([...live.values()].map((o) => o.pid)).size, 2)

  app.child.kill('SIGTERM')
  const codes = await Promise.all([...live.values()].map((o) => o.code))
  t.same(codes, [CloseGoingAway, CloseGoingAway, CloseGoingAway, CloseGoingAway], 'every WebSocket got 1001')
  t.equal(await app.exited, 0)
  await logged(app, /All workers exited/)
  t.equal(app.out().match(/Graceful shutdown finished/g)?.length, 2, 'both workers finished before the exit wait time')
})
