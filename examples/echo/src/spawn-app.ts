/**
 * Test support: run an echo app as a real child process, exactly as `pnpm echo:<name>` does, read what it
 * prints, and stop it with a signal. Servers are started on `127.0.0.1:0`; the address they print is the
 * one they really listen on.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The runnable scripts in examples/echo/src. */
export type AppName = 'legacy' | 'adaptor' | 'fastify' | 'client'

/** The three servers. */
export const ALL_SERVERS = ['legacy', 'adaptor', 'fastify'] as const

/** A server app's name. */
export type ServerName = typeof ALL_SERVERS[number]

/**
 * The servers a test matrix runs over: all three, or the comma-separated subset in `ECHO_SERVERS`
 * (e.g. `ECHO_SERVERS=fastify npx tap examples/echo/src/echo.test.ts`).
 */
export const SERVERS: readonly ServerName[] = process.env.ECHO_SERVERS === undefined
  ? ALL_SERVERS
  : ALL_SERVERS.filter((name) => (process.env.ECHO_SERVERS as string).split(',').includes(name))

/** How a child process ended. */
export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** The repository root: the apps are started from there, as the package scripts are. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * The ready line every server prints; the router's `spin` and the fastify app both print
 * `... listening on address=<host>:<port>` (IPv6 hosts bracketed).
 */
export const LISTENING = /listening on address=(\[[0-9A-Fa-f:.]+\]|[^\s:]+):(\d+)/

/** The node flags of the package scripts: sources are run as TypeScript through the `hertz-source` condition. */
export const NODE_FLAGS = ['--conditions=hertz-source', '--import', 'tsx'] as const

/**
 * The command line of `pnpm echo:<name>` as the root package.json spells it; `spawnApp` runs exactly this
 * (with `process.execPath` for `node`), and spawn-app.test.ts holds the package scripts to it.
 */
export function appCommand (name: AppName): string {
  return ['node', ...NODE_FLAGS, appScript(name)].join(' ')
}

/** The script of an app, relative to the repository root. */
function appScript (name: AppName): string {
  return `examples/echo/src/${name}.ts`
}

/** A running script: its output so far (stdout and stderr interleaved by line) and ways to wait and stop. */
export class AppProcess {
  readonly child: ChildProcess
  /** A short name for messages: the app name or the script path. */
  readonly name: string
  /** Every complete line printed so far, stdout and stderr together, in arrival order. */
  readonly lines: string[] = []
  /** Settles once, when the process has exited. */
  readonly exited: Promise<Exit>
  private readonly waiters = new Set<() => void>()
  private exit: Exit | null = null

  /** Run `script` (a path relative to the repository root, or absolute) with the package scripts' flags. */
  constructor (name: string, script: string, args: readonly string[]) {
    this.name = name
    this.child = spawn(process.execPath, [...NODE_FLAGS, script, ...args], {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' }
    })
    this.collect(this.child.stdout)
    this.collect(this.child.stderr)
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal }
        this.notify()
        resolve(this.exit)
      })
    })
  }

  private collect (stream: NodeJS.ReadableStream | null): void {
    if (stream === null) return
    let partial = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n')
      partial = parts.pop() as string
      for (const line of parts) this.lines.push(line)
      if (parts.length > 0) this.notify()
    })
    stream.on('end', () => {
      if (partial !== '') this.lines.push(partial)
      partial = ''
      this.notify()
    })
  }

  private notify (): void {
    for (const wake of this.waiters) wake()
  }

  /** All output so far, one string. */
  output (): string {
    return this.lines.join('\n')
  }

  /**
   * Resolve with the first line (from `from` on) matching `pattern`. Rejects with the output so far if the
   * process exits first or nothing matches within `timeoutMs`.
   */
  waitForLine (pattern: RegExp, timeoutMs = 20_000, from = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let index = from
      const check = (): void => {
        for (; index < this.lines.length; index++) {
          const match = (this.lines[index] as string).match(pattern)
          if (match !== null) return done(null, match)
        }
        if (this.exit !== null) {
          done(new Error(`${this.name} exited (${this.exit.code ?? this.exit.signal}) before printing ${pattern}:\n${this.output()}`))
        }
      }
      const timer = setTimeout(() => {
        done(new Error(`${this.name} printed no ${pattern} within ${timeoutMs} ms:\n${this.output()}`))
      }, timeoutMs)
      const done = (err: Error | null, match?: RegExpMatchArray): void => {
        clearTimeout(timer)
        this.waiters.delete(check)
        if (err !== null) reject(err)
        else resolve(match as RegExpMatchArray)
      }
      this.waiters.add(check)
      check()
    })
  }

  /** Count the lines matching `pattern`. */
  count (pattern: RegExp): number {
    return this.lines.reduce((n, line) => (pattern.test(line) ? n + 1 : n), 0)
  }

  /**
   * Send `signal` and wait for the exit; if the process is still alive after `timeoutMs` it is killed and the
   * promise rejects, so a hanging shutdown fails the test instead of passing silently.
   */
  async stop (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<Exit> {
    if (this.exit !== null) return this.exit
    this.child.kill(signal)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL')
        reject(new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}:\n${this.output()}`))
      }, timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Make sure the process is gone (for teardown); never throws. */
  async kill (): Promise<void> {
    if (this.exit !== null) return
    this.child.kill('SIGKILL')
    await this.exited
  }
}

/** Start one of the echo scripts with the given arguments; nothing is awaited. */
export function spawnApp (name: AppName, args: readonly string[] = []): AppProcess {
  return new AppProcess(name, appScript(name), args)
}

/** A server that has printed its listening address. */
export interface RunningServer {
  app: AppProcess
  /** `host:port` as printed, e.g. `127.0.0.1:41234`; pass it to the client's `--addr`. */
  addr: string
  host: string
  port: number
}

/** Start a server on `addr` (default `127.0.0.1:0`) and wait until it prints where it listens. */
export function startServer (name: ServerName, addr = '127.0.0.1:0'): Promise<RunningServer> {
  return waitListening(spawnApp(name, ['--addr', addr]))
}

/** Wait until a started server prints its address; on failure the process is killed and the output reported. */
export async function waitListening (app: AppProcess): Promise<RunningServer> {
  try {
    const [, host, port] = await app.waitForLine(LISTENING)
    return { app, addr: `${host}:${port}`, host: (host as string).replace(/^\[|\]$/g, ''), port: Number(port) }
  } catch (err) {
    await app.kill()
    throw err
  }
}
