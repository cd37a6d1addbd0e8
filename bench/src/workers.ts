/**
 * The workers suite: the router's `GET /hello` served by `spin()` on 1 and on 2 worker processes
 * (`server.withWorkers`), loaded by wrk. Each measurement starts a fresh server (`spin-hello.ts`), warms it, then
 * measures; the ratio 2 / 1 is taken inside each round.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { runWrk, type WrkResult } from './drivers/wrk.js'

const ENTRY = fileURLToPath(new URL('./spin-hello.ts', import.meta.url))
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LOADER = new URL('./loader/register.mjs', import.meta.url).href
/** The line the primary prints once every worker listens (with one worker: the server's own line). */
const READY = /(?:workers listening on|HTTP server listening on) address=([^\s]+)/
const READY_TIMEOUT_MS = 60_000

/** The workers suite's load. */
export interface WorkersLoad {
  workers: number
  connections: number
  threads: number
  warmSec: number
  sec: number
  /** Load the sources through tsx instead of the build-equivalent loader. */
  tsx: boolean
}

/** Starts `spin-hello.ts` with `load.workers`, warms it, measures it with wrk, stops it (SIGTERM, exit 0 expected). */
export async function measureWorkers (load: WorkersLoad): Promise<WrkResult> {
  const child = spawn(process.execPath, ['--conditions=hertz-source', '--import', load.tsx ? 'tsx' : LOADER, ENTRY, '--addr', '127.0.0.1:0'], {
    cwd: REPO_ROOT,
    env: { ...process.env, WORKERS: String(load.workers) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out = (out + d).slice(-8000) })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out = (out + d).slice(-8000) })
  let r: WrkResult
  try {
    const addr = await ready(() => out, exited)
    const url = `http://${addr}/hello`
    if (load.warmSec > 0) await runWrk({ url, connections: load.connections, threads: load.threads, durationSec: load.warmSec })
    r = await runWrk({ url, connections: load.connections, threads: load.threads, durationSec: load.sec })
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  if (child.exitCode !== null) {
    r.problems.push(`server exited during the run (${child.exitCode}): ${out}`)
    return r
  }
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  const [code] = await exited
  clearTimeout(timer)
  if (code !== 0) r.problems.push(`spin with ${load.workers} worker(s): exit ${String(code)} on SIGTERM: ${out}`)
  return r
}

async function ready (out: () => string, exited: Promise<unknown>): Promise<string> {
  let gone = false
  void exited.then(() => { gone = true })
  const started = Date.now()
  for (;;) {
    const m = READY.exec(out())
    if (m !== null) return m[1] as string
    if (gone) throw new Error(`spin-hello exited before listening: ${out()}`)
    if (Date.now() - started > READY_TIMEOUT_MS) throw new Error(`spin-hello did not listen within ${READY_TIMEOUT_MS} ms: ${out()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
