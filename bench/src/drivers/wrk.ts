/**
 * wrk driver (Debian's `wrk`, a C load generator): for the workers suite, where a Node load generator would take
 * a core from the servers it measures. Keep-alive, no pipelining; every non-2xx answer or socket error is a problem.
 */
import { execFile, spawnSync } from 'node:child_process'

/** One wrk run. */
export interface WrkLoad {
  url: string
  connections: number
  threads: number
  durationSec: number
}

/** What one run measured. */
export interface WrkResult {
  reqPerSec: number
  p99Ms: number
  completed: number
  problems: string[]
}

/** True when `wrk` is on the PATH. */
export function wrkAvailable (): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 }

/** Parses wrk's `--latency` report. */
export function parseWrk (out: string): WrkResult {
  const problems: string[] = []
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const total = /(\d+) requests in/.exec(out)
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  const errors = /Socket errors: (.*)/.exec(out)
  if (rps === null || total === null) problems.push(`unreadable wrk output: ${out.slice(0, 200)}`)
  if (non2xx !== null) problems.push(`${non2xx[1]} non-2xx responses`)
  // Connections wrk itself closes at the end are not the server's fault; read/write errors and timeouts are.
  if (errors !== null && /(read|write|timeout) [1-9]/.test(errors[1] as string)) problems.push(`socket errors: ${errors[1]}`)
  return {
    reqPerSec: rps === null ? 0 : Number(rps[1]),
    p99Ms: p99 === null ? NaN : Number(p99[1]) * (UNIT_MS[p99[2] as string] ?? NaN),
    completed: total === null ? 0 : Number(total[1]),
    problems
  }
}

/** Runs wrk against `load.url`. */
export function runWrk (load: WrkLoad): Promise<WrkResult> {
  const args = ['-t', String(load.threads), '-c', String(load.connections), '-d', `${load.durationSec}s`, '--latency', load.url]
  return new Promise((resolve) => {
    execFile('wrk', args, { timeout: (load.durationSec + 30) * 1000 }, (err, stdout, stderr) => {
      const r = parseWrk(stdout)
      if (err !== null) r.problems.push(`wrk failed: ${err.message} ${stderr}`)
      resolve(r)
    })
  })
}
