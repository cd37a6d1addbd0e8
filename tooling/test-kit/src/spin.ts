/** Starts the spin fixture (spin-fixture.ts) as a child process, as `node --conditions=hertz-source --import tsx` would. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Teardown } from './teardown.js'

/** The fixture's path, for tests that spawn it their own way. */
export const SPIN_FIXTURE = fileURLToPath(new URL('./spin-fixture.ts', import.meta.url))

/** The repository root: the child runs from there, as the package scripts do. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** A running fixture. */
export interface SpinApp {
  child: ChildProcess
  port: number
  /** Everything it printed so far, stdout and stderr interleaved. */
  out: () => string
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>
}

/**
 * Spawns the fixture with `env` added to this process's environment and waits for its port; killed at teardown
 * if still running.
 */
export async function spinApp (t: Teardown, env: Record<string, string> = {}): Promise<SpinApp> {
  const child = spawn(process.execPath, ['--conditions=hertz-source', '--import', 'tsx', SPIN_FIXTURE], {
    cwd: REPO_ROOT,
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
  while ((m = /READY (\d+)/.exec(out)) === null) {
    if (Date.now() - started > 15000 || child.exitCode !== null) throw new Error('spin app did not start: ' + out)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return { child, port: Number(m[1]), out: () => out, exited }
}
