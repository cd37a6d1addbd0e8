/**
 * HTTP driver: autocannon, programmatically, the way fastify measures itself (`-c 100 -p 10`).
 * Every response body is compared with the expected one; a wrong status, a wrong body or a
 * connection error is a failure, a timeout on a busy machine is only counted.
 */
import autocannon from 'autocannon'

/** One HTTP load run. */
export interface HttpLoad {
  url: string
  connections: number
  pipelining: number
  durationSec: number
  /** The exact body every response must carry. */
  expectBody: string
}

/** What one run measured and what went wrong in it. */
export interface HttpResult {
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  completed: number
  timeouts: number
  /** Failures of the server under test (empty when it behaved). */
  problems: string[]
}

/** Runs autocannon against `load.url` and returns req/s, latency percentiles and problems. */
export async function runHttp (load: HttpLoad): Promise<HttpResult> {
  const instance = autocannon({
    url: load.url,
    connections: load.connections,
    pipelining: load.pipelining,
    duration: load.durationSec,
    expectBody: load.expectBody
  })
  let firstError: string | undefined
  instance.on('reqError', (err: Error) => { firstError ??= err.message })
  const r = await instance

  const completed = r.requests.total
  const problems: string[] = []
  const hardErrors = r.errors - r.timeouts
  if (hardErrors > 0) problems.push(`${hardErrors} request errors (first: ${firstError ?? 'unknown'})`)
  if (r.non2xx > 0) problems.push(`${r.non2xx} non-2xx responses`)
  if (r.mismatches > 0) problems.push(`${r.mismatches} responses whose body is not ${load.expectBody}`)
  if (completed === 0) problems.push('no request completed')
  return {
    reqPerSec: r.duration > 0 ? completed / r.duration : 0,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    completed,
    timeouts: r.timeouts,
    problems
  }
}
