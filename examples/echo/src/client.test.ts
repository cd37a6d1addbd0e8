import t, { type Test } from 'tap'
import { createServer } from 'node:net'
import { SERVERS, spawnApp, startServer, type AppProcess, type RunningServer } from './spawn-app.js'

// Real processes on a machine that may be busy: allow more than tap's default 30 s per file.
t.setTimeout(180_000)

const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/

/** Replace the address and the timestamps, and fold the run of `recv:` lines into one. */
function normalize (lines: readonly string[], addr: string): string[] {
  const out: string[] = []
  for (const line of lines) {
    const normal = line.split(addr).join('<addr>').replace(ISO_TIME, '<time>')
    if (out[out.length - 1] !== normal) out.push(normal)
  }
  return out
}

/** Start the client against `server` and wait for `echoes` echoed ticks. */
async function runClient (t: Test, server: RunningServer, echoes: number): Promise<AppProcess> {
  const client = spawnApp('client', ['--addr', server.addr])
  t.teardown(() => client.kill())
  await client.waitForLine(/^connecting to ws:\/\//)
  let from = 0
  for (let i = 0; i < echoes; i++) {
    await client.waitForLine(/^recv: /, 20_000, from)
    from = client.lines.findIndex((l, n) => n >= from && l.startsWith('recv: ')) + 1
  }
  return client
}

const transcripts = new Map<string, string[]>()
const goingAwayTranscripts = new Map<string, string[]>()

/** Each case is its own pair of processes that mostly waits for the client's one-second ticker: run them side by side. */
const CASES = SERVERS.flatMap((name) => (['SIGINT', 'SIGTERM'] as const).map((s) => [name, s] as const))

// SIGINT is Ctrl-C; SIGTERM is what `kill` and process managers send. Both must end in a clean close.
t.test('client against each server and signal', { jobs: CASES.length }, async (t) => {
  for (const [name, signal] of CASES) {
    t.test(`client against ${name}: echoes the time every second, closes 1000 on ${signal}, exits 0`, async (t) => {
      const server = await startServer(name)
      t.teardown(() => server.app.kill())
      // Two echoes prove the ticker keeps going.
      const client = await runClient(t, server, 2)

      t.same(await client.stop(signal), { code: 0, signal: null }, client.output())
      const received = client.lines.filter((l) => l.startsWith('recv: ')).map((l) => l.slice('recv: '.length))
      t.ok(received.length >= 2, `${received.length} echoes`)
      for (const time of received) {
        t.match(time, new RegExp(`^${ISO_TIME.source}$`), 'the client sent the time')
        t.ok(server.app.lines.some((l) => l.endsWith(`recv: ${time}`)), `the server logged recv: ${time}`)
      }
      const transcript = normalize(client.lines, server.addr)
      t.same(transcript, [
        'connecting to ws://<addr>/echo',
        'recv: <time>',
        'interrupt',
        'read: websocket: close 1000 (normal)'
      ], client.output())
      transcripts.set(`${name} ${signal}`, transcript)
      // The server saw the client's close 1000 and kept running.
      await server.app.waitForLine(/read: .*1000/)
      t.equal(server.app.child.exitCode, null, 'the server is still up')
    })
  }
})

t.test('the transcripts are identical across servers and signals', async (t) => {
  t.equal(transcripts.size, SERVERS.length * 2)
  const [first, ...rest] = [...transcripts.values()]
  for (const other of rest) t.same(other, first)
})

t.test('each server shutting down', { jobs: SERVERS.length }, async (t) => {
  for (const name of SERVERS) {
    t.test(`client against ${name}: the server shutting down ends the client with 1001, exit 0`, async (t) => {
      const server = await startServer(name)
      t.teardown(() => server.app.kill())
      const client = await runClient(t, server, 1)
      t.same(await server.app.stop('SIGTERM'), { code: 0, signal: null }, server.app.output())
      t.same(await client.exited, { code: 0, signal: null }, client.output())
      const transcript = normalize(client.lines, server.addr)
      t.same(transcript, [
        'connecting to ws://<addr>/echo',
        'recv: <time>',
        'read: websocket: close 1001 (going away)'
      ], client.output())
      goingAwayTranscripts.set(name, transcript)
    })
  }
})

t.test('the going-away transcripts are identical across servers', async (t) => {
  t.equal(goingAwayTranscripts.size, SERVERS.length)
  const [first, ...rest] = [...goingAwayTranscripts.values()]
  for (const other of rest) t.same(other, first)
})

t.test('nothing listening: the client logs dial: and exits 1', async (t) => {
  // A port that was free a moment ago.
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))

  const client = spawnApp('client', ['--addr', `127.0.0.1:${port}`])
  t.teardown(() => client.kill())
  t.same(await client.exited, { code: 1, signal: null })
  t.equal(client.lines[0], `connecting to ws://127.0.0.1:${port}/echo`)
  t.match(client.lines[1], /^dial:.*ECONNREFUSED/)
})
