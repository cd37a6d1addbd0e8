/**
 * `--redis`: two chat instances (one per path) on different ports share a room through a real redis-server;
 * messages cross both ways, local delivery goes on while Redis is down, and they cross again once Redis is
 * back, without restarting the instances.
 */
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer, type RunningServer } from '@hertz-node/example-support/spawn-app'
import { Client } from '@hertz-node/example-support/ws-client'

t.setTimeout(180_000)

const REDIS_SERVER = '/usr/bin/redis-server'

/** A port nobody listens on right now. */
async function freePort (): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address() as { port: number }
  await new Promise((resolve) => srv.close(resolve))
  return port
}

/** Starts redis-server on `port` with its own dir and no persistence; resolves once it takes connections. */
async function startRedis (port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => { s.destroy(); resolve(true) })
      s.once('error', () => resolve(false))
    })
    if (ok) return child
    if (child.exitCode !== null) break
    await sleep(50)
  }
  child.kill('SIGKILL')
  throw new Error(`redis-server did not start on port ${port}`)
}

async function killRedis (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}

/**
 * Waits until `client` receives a message with the line `line` (messages may batch lines); false on timeout.
 * Listens on the socket itself, so a wait that timed out leaves nothing behind to take a later message.
 */
function receives (client: Client, line: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      if (data.toString().split('\n').includes(line)) done(true)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      client.ws.off('message', onMessage)
      resolve(ok)
    }
    client.ws.on('message', onMessage)
  })
}

/** Sends numbered lines until `to` receives one, as clients retry after an outage; the line that crossed. */
async function crossesAgain (from: Client, to: Client, prefix: string): Promise<string | null> {
  for (let i = 0; i < 40; i++) {
    const line = `${prefix} ${i}`
    const got = receives(to, line, 500)
    from.ws.send(line)
    if (await got) return line
  }
  return null
}

if (!existsSync(REDIS_SERVER)) {
  t.plan(0, `${REDIS_SERVER} not found: install it with "apt-get install -y redis-server" to run the Redis test`)
} else {
  t.test('two instances share a room through Redis, across a Redis restart', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'chat-redis-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const port = await freePort()
    let redis = await startRedis(port, dir)
    t.teardown(() => killRedis(redis))
    const url = `redis://127.0.0.1:${port}`

    const servers: RunningServer[] = []
    for (const path of ['legacy', 'adaptor']) {
      const server = await startServer('chat', path, ['--redis', url])
      t.teardown(() => server.app.kill())
      servers.push(server)
    }
    const [one, two] = servers as [RunningServer, RunningServer]
    for (const s of servers) await s.app.waitForLine(/redis: connected to /)
    t.not(one.port, two.port, 'two instances, two ports')

    const a = await Client.open(`ws://${one.addr}/ws`)
    const b = await Client.open(`ws://${two.addr}/ws`)
    t.teardown(() => { a.terminate(); b.terminate() })

    const fromOne = receives(b, 'from one', 10_000)
    a.ws.send('from one')
    t.ok(await fromOne, 'one -> two')
    const fromTwo = receives(a, 'from two', 10_000)
    b.ws.send('from two')
    t.ok(await fromTwo, 'two -> one')

    const linesBefore = servers.map((s) => s.app.lines.length)
    await killRedis(redis)
    for (const [i, s] of servers.entries()) {
      await s.app.waitForLine(/redis: connection to .* lost .*delivering locally, reconnecting/, 20_000, linesBefore[i])
    }
    t.pass('each instance logged the outage once')
    const local = receives(a, 'while redis is down', 10_000)
    a.ws.send('while redis is down')
    t.ok(await local, 'local delivery goes on without Redis')

    const linesDown = servers.map((s) => s.app.lines.length)
    redis = await startRedis(port, dir)
    for (const [i, s] of servers.entries()) await s.app.waitForLine(/redis: connected to /, 30_000, linesDown[i])
    t.ok(await crossesAgain(a, b, 'one again'), 'one -> two after Redis came back')
    t.ok(await crossesAgain(b, a, 'two again'), 'two -> one after Redis came back')
    t.equal(servers.map((s) => s.app.count(/redis: connection to .* lost/)).join(','), '1,1', 'one outage line per instance')

    for (const s of servers) t.same(await s.app.stop('SIGTERM'), { code: 0, signal: null }, `${s.app.name} exits cleanly`)
  })
}
