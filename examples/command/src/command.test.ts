import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PATHS, spawnApp, startServer, type RunningServer } from '@hertz-node/example-support/spawn-app'
import { Client } from '@hertz-node/example-support/ws-client'

// Real processes on a machine that may be busy: allow more than tap's default 30 s per file.
t.setTimeout(180_000)
// Each case below starts its own server process and mostly waits on it and its commands: four at a time.
t.jobs = 4

/**
 * A command that answers `pid <its pid>`, echoes lines, exits on `exit` (after a line on stderr), and on `hang`
 * becomes a process that ignores SIGINT and stdin's end (`exec` keeps the ignored disposition and the pid).
 */
const SCRIPT = [
  'trap "" INT',
  'echo "pid $$"',
  'while read line; do',
  '  case "$line" in',
  '    exit) echo "bye on stderr" >&2; exit 0 ;;',
  '    hang) exec sleep 1000 ;;',
  '    *) echo "sh: $line" ;;',
  '  esac',
  'done'
].join('\n')

/** Whether `pid` runs; a zombie (exited, not yet reaped by whoever inherited it) counts as gone. */
function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return !existsSync('/proc/self')
  }
}

/** Wait until `pid` is gone; the command is reaped by the server, so this ends unless it leaked. */
async function gone (pid: number): Promise<boolean> {
  for (let i = 0; i < 600; i++) {
    if (!alive(pid)) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

/** Whether the process ignores SIGINT, from the kernel's view (Linux). */
function ignoresSigint (pid: number): boolean | null {
  const status = `/proc/${pid}/status`
  if (!existsSync(status)) return null
  const line = readFileSync(status, 'utf8').split('\n').find((l) => l.startsWith('SigIgn:'))
  return line === undefined ? null : (BigInt('0x' + line.slice(7).trim()) & 2n) !== 0n
}

/**
 * Connect and turn the connection's command into `sleep`, which ignores SIGINT and stdin; resolves once the
 * shell has become `sleep` (`exec` keeps the pid; where /proc tells).
 */
async function hangingCommand (server: RunningServer): Promise<[Client, number]> {
  const client = await Client.open(`ws://${server.addr}/ws`)
  const child = await pid(client)
  client.ws.send('hang')
  const cmdline = `/proc/${child}/cmdline`
  for (let i = 0; i < 600 && existsSync(cmdline) && !readFileSync(cmdline, 'utf8').startsWith('sleep'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return [client, child]
}

async function pid (client: Client): Promise<number> {
  const line = await client.text()
  const match = /^pid (\d+)$/.exec(line)
  if (match === null) throw new Error(`expected "pid <n>", got ${JSON.stringify(line)}`)
  return Number(match[1])
}

for (const path of PATHS) {
  t.test(`${path}: cat`, async (t) => {
    const server = await startServer('command', path, ['cat'])
    t.teardown(() => server.app.kill())

    t.test('GET / serves the page', async (t) => {
      const res = await fetch(`http://${server.addr}/`)
      t.equal(res.status, 200)
      t.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/)
      const page = await res.text()
      t.match(page, '<title>Command Example</title>')
      t.match(page, "new WebSocket('ws://' + document.location.host + '/ws')")
    })

    t.test('messages go to stdin, stdout lines come back as text messages', async (t) => {
      const client = await Client.open(`ws://${server.addr}/ws`)
      t.teardown(() => client.terminate())
      client.ws.send('hello')
      t.equal(await client.text(), 'hello')
      client.ws.send('two\nlines')
      t.equal(await client.text(), 'two')
      t.equal(await client.text(), 'lines')
      client.ws.close(1000)
      t.same(await client.closed, [1000, ''])
    })

    t.test('a message over maxMessageSize ends the connection with 1009', async (t) => {
      const client = await Client.open(`ws://${server.addr}/ws`)
      t.teardown(() => client.terminate())
      client.ws.send('x'.repeat(8193))
      t.equal((await client.closed)[0], 1009)
    })

    t.test('SIGINT: exit 0', async (t) => {
      t.same(await server.app.stop('SIGINT'), { code: 0, signal: null }, server.app.output())
    })
  })

  t.test(`${path}: a command that ends, and one that must be killed`, async (t) => {
    const server = await startServer('command', path, ['sh', '-c', SCRIPT])
    t.teardown(() => server.app.kill())

    t.test('stdout and stderr lines, then close 1000 when the command exits', async (t) => {
      const client = await Client.open(`ws://${server.addr}/ws`)
      t.teardown(() => client.terminate())
      const child = await pid(client)
      client.ws.send('ping')
      t.equal(await client.text(), 'sh: ping')
      client.ws.send('exit')
      t.equal(await client.text(), 'bye on stderr')
      t.same(await client.closed, [1000, ''], 'the close frame the server sends when the output ends')
      t.ok(await gone(child), 'the command is gone')
    })

    t.test('a command ignoring SIGINT and stdin is killed once the client leaves', async (t) => {
      const [client, child] = await hangingCommand(server)
      t.teardown(() => client.terminate())
      t.not(ignoresSigint(child), false, 'the command ignores SIGINT')
      t.ok(alive(child), 'the command runs while the client is connected')
      client.ws.close(1000)
      t.same(await client.closed, [1000, ''])
      t.ok(await gone(child), 'SIGINT did nothing, SIGKILL ended it')
      t.notMatch(server.app.output(), /term:|wait:/)
    })

    t.test('SIGTERM with a command running: close 1001, exit 0, the command is gone', async (t) => {
      const [client, child] = await hangingCommand(server)
      t.teardown(() => client.terminate())
      const [exit, closed] = await Promise.all([server.app.stop('SIGTERM'), client.closed])
      t.same(exit, { code: 0, signal: null }, server.app.output())
      t.equal(closed[0], 1001, 'going away')
      t.ok(await gone(child), 'the command did not outlive the server')
    })
  })

  t.test(`${path}: a command that cannot start any more: "Internal server error." and a start: line`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), `command-${path}-`))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const script = join(dir, 'gone.sh')
    await writeFile(script, '#!/bin/sh\necho never\n', { mode: 0o755 })
    const server = await startServer('command', path, [script])
    t.teardown(() => server.app.kill())
    await rm(script)
    const client = await Client.open(`ws://${server.addr}/ws`)
    t.teardown(() => client.terminate())
    t.equal(await client.text(), 'Internal server error.')
    await client.closed
    t.match(server.app.output(), /start: .*ENOENT/)
    t.same(await server.app.stop('SIGINT'), { code: 0, signal: null }, 'the server lives on')
  })

  t.test(`${path}: command line errors`, async (t) => {
    const none = spawnApp('command', path, ['--addr', '127.0.0.1:0'])
    t.same(await none.exited, { code: 1, signal: null })
    t.match(none.output(), /must specify at least one argument/)
    const missing = spawnApp('command', path, ['--addr', '127.0.0.1:0', 'no-such-command-16'])
    t.same(await missing.exited, { code: 1, signal: null })
    t.match(missing.output(), 'exec: "no-such-command-16": executable file not found in $PATH')
  })
}
