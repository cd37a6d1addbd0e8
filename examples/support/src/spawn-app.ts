/**
 * Test support: run an example app as a real child process, exactly as its `pnpm <example>:<app>` script does,
 * read what it prints, and stop it with a signal. Servers are started on `127.0.0.1:0`; the address they print
 * is the one they really listen on.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The two paths every Hertz example is written for: hertz-contrib's `HertzUpgrader` and the adaptor's `Upgrader`. */
export const ALL_PATHS = ['legacy', 'adaptor'] as const

/** One of the two paths. */
export type PathName = typeof ALL_PATHS[number]

/**
 * The paths a test matrix runs over: both, or the comma-separated subset in `EXAMPLE_PATHS`
 * (e.g. `EXAMPLE_PATHS=adaptor npx tap examples/command/src/command.test.ts`).
 */
export const PATHS: readonly PathName[] = process.env.EXAMPLE_PATHS === undefined
  ? ALL_PATHS
  : ALL_PATHS.filter((name) => (process.env.EXAMPLE_PATHS as string).split(',').includes(name))

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

/** The script of `app` in `examples/<example>/src`, relative to the repository root. */
export function appScript (example: string, app: string): string {
  return `examples/${example}/src/${app}.ts`
}

/**
 * The command line of `pnpm <example>:<app>` as the root package.json spells it; `spawnApp` runs exactly this
 * (with `process.execPath` for `node`), and the examples' script tests hold the package scripts to it.
 */
export function appCommand (example: string, app: string): string {
  return ['node', ...NODE_FLAGS, appScript(example, app)].join(' ')
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

/** Start `examples/<example>/src/<app>.ts` with the given arguments; nothing is awaited. */
export function spawnApp (example: string, app: string, args: readonly string[] = []): AppProcess {
  return new AppProcess(`${example}:${app}`, appScript(example, app), args)
}

/** A server that has printed its listening address. */
export interface RunningServer {
  app: AppProcess
  /** `host:port` as printed, e.g. `127.0.0.1:41234`. */
  addr: string
  host: string
  port: number
}

/**
 * Start a server app on `--addr 127.0.0.1:0` followed by `args` and wait until it prints where it listens.
 */
export function startServer (example: string, app: string, args: readonly string[] = []): Promise<RunningServer> {
  return waitListening(spawnApp(example, app, ['--addr', '127.0.0.1:0', ...args]))
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
