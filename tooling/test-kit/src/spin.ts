/**
 * Server scripts run with `spin()` in a child process (as `node --conditions=hertz-source --import tsx` runs
 * them), for the signal, shutdown and worker tests: `spinScript` for any script, `spinApp` for the one spin
 * fixture (spin-fixture.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Teardown } from './teardown.js'

/** The spin fixture's path, for tests that spawn it their own way. */
export const SPIN_FIXTURE = fileURLToPath(new URL('./spin-fixture.ts', import.meta.url))

/** The worker fixture's path (cluster-app.ts: `spin()` with `withWorkers`). */
export const CLUSTER_APP = fileURLToPath(new URL('./cluster-app.ts', import.meta.url))

/** A running server script: its output so far, its port and its exit. */
export interface Running {
  child: ChildProcess
  port: number
  /** Everything it printed so far, stdout and stderr interleaved. */
  out: () => string
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>
}

/** A running spin fixture. */
export type SpinApp = Running

function pause (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** Waits until the app's output matches `re` (signals sent before the previous one was handled could merge). */
export async function logged (app: Running, re: RegExp, ms = 10_000): Promise<void> {
  const started = Date.now()
  while (!re.test(app.out())) {
    if (Date.now() - started > ms || app.child.exitCode !== null || app.child.signalCode !== null) throw new Error(`no ${String(re)} in: ${app.out()}`)
    await pause(10)
  }
}

/**
 * Runs `script` (TypeScript, through the `hertz-source` condition) with `env`, until it prints `ready` (by default
 * the router's listening line, whose port is captured); killed at teardown if still running.
 */
export async function spinScript (t: Teardown, script: string, env: Record<string, string> = {},
  ready = /listening on address=127\.0\.0\.1:(\d+)/): Promise<Running> {
  const child = spawn(process.execPath, ['--conditions=hertz-source', '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number | null>(resolve => { child.once('exit', code => { resolve(code) }) })
  const started = Date.now()
  let m: RegExpExecArray | null = null
  while ((m = ready.exec(out)) === null) {
    if (Date.now() - started > 20_000 || child.exitCode !== null) throw new Error('spin app did not start: ' + out)
    await pause(20)
  }
  return { child, port: Number(m[1]), out: () => out, exited }
}

/** Spawns the spin fixture with `env` added to this process's environment and waits for its `READY <port>`. */
export function spinApp (t: Teardown, env: Record<string, string> = {}): Promise<SpinApp> {
  return spinScript(t, SPIN_FIXTURE, env, /READY (\d+)/)
}
