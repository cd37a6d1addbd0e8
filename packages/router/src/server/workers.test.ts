import t, { type Test } from 'tap'
import type { Socket } from 'node:net'
import { openSocket, rawExchange, readUntil, closed } from '@hertz-node/test-kit/raw-tcp'
import { sleep } from '@hertz-node/test-kit/teardown'
import { CLUSTER_APP, logged, spinScript, type Running } from '@hertz-node/test-kit/spin'

// spin() with withWorkers(2) in a child process: the primary forks two workers of the test kit's cluster-app.ts.

const APP = CLUSTER_APP
const PRIMARY_READY = /Primary pid=\d+: 2 workers listening on address=127\.0\.0\.1:(\d+)/

function spinWorkers (t: Test, env: Record<string, string> = {}): Promise<Running> {
  return spinScript(t, APP, env, PRIMARY_READY)
}

/** The pid of the worker that answers `GET /pid` on a fresh connection. */
async function pidOf (t: Test, port: number): Promise<number> {
  const r = await rawExchange(t, port, 'GET /pid HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const m = /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n(\d+)$/.exec(r.text)
  if (m === null) throw new Error('unexpected answer: ' + r.text)
  return Number(m[1])
}

/** Fresh connections until `want` distinct workers have answered (the primary deals them out in turn). */
async function workerPids (t: Test, port: number, want = 2): Promise<Set<number>> {
  const pids = new Set<number>()
  for (let i = 0; i < 40 && pids.size < want; i++) pids.add(await pidOf(t, port))
  return pids
}

/** Hijacked `/raw` upgrades, opened until one lives in each of the two workers. */
async function rawInEachWorker (t: Test, port: number): Promise<Map<number, Socket>> {
  const byPid = new Map<number, Socket>()
  for (let i = 0; i < 40 && byPid.size < 2; i++) {
    const s = await openSocket(t, port)
    s.write('GET /raw HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: line-echo\r\n\r\n')
    const head = await readUntil(s, x => x.includes('\r\n\r\n'))
    const pid = Number(/\r\nX-Pid: (\d+)\r\n/i.exec(head)?.[1])
    if (byPid.has(pid)) s.destroy()
    else byPid.set(pid, s)
  }
  return byPid
}

t.test('workers: both answer; SIGTERM drains upgraded and in-flight connections in each, then the primary exits 0', async t => {
  const app = await spinWorkers(t, { EXIT_WAIT: '10000', SLOW_MS: '1000' })
  const pids = await workerPids(t, app.port)
  t.equal(pids.size, 2, 'two workers answered')
  t.notOk(pids.has(app.child.pid as number), 'the primary serves nothing itself')

  const raws = await rawInEachWorker(t, app.port)
  t.same([...raws.keys()].sort(), [...pids].sort(), 'an upgraded connection lives in each worker')
  for (const [pid, s] of raws) {
    s.write(`ping ${pid}\n`)
    t.match(await readUntil(s, x => x.includes(`ping ${pid}\n`)), `ping ${pid}\n`)
  }
  const slow = await openSocket(t, app.port)
  slow.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await sleep(100)

  app.child.kill('SIGTERM')
  await logged(app, /Received signal: SIGTERM/)
  app.child.kill('SIGTERM')
  await logged(app, /Received signal: SIGTERM during the graceful shutdown, ignored \(one more exits at once\)/)
  for (const [pid, s] of raws) {
    t.match(await readUntil(s, x => x.includes(`bye ${pid}\n`), 5000), `bye ${pid}\n`, `worker ${pid} said goodbye on its upgraded connection`)
    await closed(s)
  }
  const answer = await readUntil(slow, x => /slow done \d+$/.test(x), 5000)
  t.match(answer, /\r\nConnection: close\r\n/i, 'the in-flight request finished with Connection: close')
  t.equal(await app.exited, 0)
  for (const pid of pids) t.match(app.out(), `shutdown hook ran in pid=${pid}`, `onShutdown ran in worker ${pid}`)
  t.equal(app.out().match(/Graceful shutdown finished/g)?.length, 2)
  t.match(app.out(), /All workers exited/)
  t.notMatch(app.out(), /starting another/, 'no worker was restarted during the shutdown')
})

t.test('workers: one killed with SIGKILL is replaced and the port keeps serving', async t => {
  const app = await spinWorkers(t)
  const pids = await workerPids(t, app.port)
  t.equal(pids.size, 2)
  const [victim, survivor] = [...pids]
  process.kill(victim, 'SIGKILL')
  await logged(app, new RegExp(`worker pid=${victim} exited \\(signal SIGKILL\\) after \\d+ ms; starting another in 100 ms`))
  t.ok((await workerPids(t, app.port, 1)).has(survivor), 'the other worker serves meanwhile')
  await logged(app, /worker pid=\d+ listening/)
  const after = new Set<number>()
  for (let i = 0; i < 40 && after.size < 2; i++) after.add(await pidOf(t, app.port))
  t.notOk(after.has(victim), 'the killed worker answers no more')
  t.ok(after.has(survivor), 'the other worker still serves')
  t.equal(after.size, 2, 'a new worker serves beside it')
  app.child.kill('SIGTERM')
  t.equal(await app.exited, 0)
})

t.test('workers: a crash loop stops the primary with a clear error and exit code 1', async t => {
  const app = await spinScript(t, APP, { CRASH: '1' }, /Primary pid=(\d+) starting 2 workers/)
  t.equal(await app.exited, 1)
  t.match(app.out(), /Run error=.*cannot start/)
  t.match(app.out(), /workers are crashing in a loop: 5 in a row exited within 10000 ms of their start \(last: pid=\d+, code 1\); stopping/)
  t.match(app.out(), /starting another in 100 ms/)
  t.match(app.out(), /starting another in 200 ms/, 'the restarts back off')
})

t.test('workers: a third signal kills the workers and exits at once', async t => {
  const app = await spinWorkers(t, { EXIT_WAIT: '10000', SLOW_MS: '10000' })
  const slow = await openSocket(t, app.port)
  slow.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await sleep(100)
  app.child.kill('SIGTERM')
  await logged(app, /Begin graceful shutdown/)
  app.child.kill('SIGTERM')
  await logged(app, /ignored \(one more exits at once\)/)
  app.child.kill('SIGINT')
  t.equal(await app.exited, 130, '128 + SIGINT')
  t.match(app.out(), /Received signal: SIGINT again, exiting at once/)
  await closed(slow)
})
