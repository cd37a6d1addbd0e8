/**
 * The fixed-rate suite (`--suites rate`): each round, each workload, the variants in a seeded shuffled
 * order, each measured on a fresh server process under a paced load: warm-up, then one window over
 * which the server's CPU time (from /proc) is divided by the operations completed in it. Measurements
 * in fresh processes do not inherit each other's heap, JIT state or GC thresholds.
 */
import type { Metric } from '../metrics.js'
import { onRate, RATE_METRICS } from '../metrics.js'
import { RATE_WORKLOADS, type RatePlan, type RateWorkload } from '../plan.js'
import { runRateHttp } from '../drivers/rate-http.js'
import { runRateEcho, runRateHandshakes } from '../drivers/rate-ws.js'
import { ECHO_PATH, HELLO_BODY, HELLO_PATH } from '../servers/common.js'
import { startServer, type ServerProcess, type SpawnOptions } from '../spawn.js'
import type { Variant } from '../variants.js'
import { achieved, type PacedLoad, type PacedResult } from './pacing.js'
import { clockTicksPerSec, processCpuMicros } from './proc-cpu.js'
import { seededRandom, shuffle } from './shuffle.js'

/** Where the suite puts what it measured and what went wrong. */
export interface SuiteSink {
  record(round: number, variant: Variant, metric: Metric, value: number): void
  fail(variant: Variant | null, suite: string, message: string): void
  log(round: number, message: string): void
}

/** The suite's inputs. */
export interface RateRun {
  plan: RatePlan
  seed: number
  httpVariants: readonly Variant[]
  wsVariants: readonly Variant[]
  spawn: SpawnOptions
}

// Enough in flight to ride out a pause of the client or a GC of the server (a quarter of a second of
// operations), small enough that a server which cannot keep up shows as a missed rate.
const IN_FLIGHT_SEC = 0.25

/** The message size of each echo workload. */
export const ECHO_SIZES = { echo32: 32, echo16k: 16 * 1024 } as const

/** How workload `w` of `plan` is paced at `rate` operations per second: warm-up, priming, in-flight bound. */
export function pacedLoad (w: RateWorkload, plan: RatePlan, rate: number): PacedLoad {
  const { sec, prime } = plan.workloads[w]
  return {
    rate,
    sec,
    warmSec: plan.warmSec,
    maxInFlight: Math.max(plan.connections, Math.ceil(rate * IN_FLIGHT_SEC)),
    primeOps: prime,
    // Handshakes as the saturated suite runs them (10 clients); the others on their connections.
    primeConcurrency: w === 'handshakes' ? 10 : plan.connections
  }
}

function drive (w: RateWorkload, server: ServerProcess, plan: RatePlan): Promise<PacedResult> {
  const load = pacedLoad(w, plan, plan.workloads[w].rate)
  const cpu = (): number => processCpuMicros(server.pid)
  if (w === 'http') return runRateHttp(server.url + HELLO_PATH, plan.connections, HELLO_BODY, load, cpu)
  if (w === 'handshakes') return runRateHandshakes(server.wsUrl + ECHO_PATH, load, cpu)
  return runRateEcho(server.wsUrl + ECHO_PATH, plan.connections, ECHO_SIZES[w], load, cpu)
}

/** Measures one variant on one workload on `server`, records it and stops the server. */
async function measure (sink: SuiteSink, round: number, w: RateWorkload, variant: Variant, server: ServerProcess, plan: RatePlan): Promise<void> {
  const suite = `rate ${w}`
  const { cpu, achieved: achievedMetric, unit } = RATE_METRICS[w]
  try {
    const r = await drive(w, server, plan)
    // A crash during the run is reported by stop(), below.
    for (const p of r.problems) sink.fail(variant, suite, p)
    const share = achieved(r)
    const perOp = r.completed > 0 ? r.cpuMicros / r.completed : NaN
    sink.record(round, variant, achievedMetric, share)
    const off = !onRate(share)
    // A variant that did not run at the rate was not measured at it: its CPU per operation stays out.
    if (!off && r.problems.length === 0) sink.record(round, variant, cpu, perOp)
    const rate = plan.workloads[w].rate
    sink.log(round, `rate ${w} ${variant}: ${perOp.toFixed(1)} µs CPU/${unit} at ${Math.round(r.completed / (r.windowMs / 1000)).toLocaleString('en-US')}/s of ${rate.toLocaleString('en-US')}/s (${(share * 100).toFixed(1)} %${off ? (share < 1 ? ', FELL BEHIND' : ', OFF RATE: a backlog') : ''}${r.skipped > 0 ? `, ${r.skipped} skipped` : ''})`)
  } catch (err) {
    sink.fail(variant, suite, (err as Error).message)
  } finally {
    await server.stop().catch((err: Error) => sink.fail(variant, suite, err.message))
  }
}

/**
 * Runs the suite. The fresh servers of one workload start together (idle, they cost nothing while
 * the others are measured), then run one at a time in the round's shuffled order.
 */
export async function runRateSuite (run: RateRun, sink: SuiteSink): Promise<void> {
  try {
    clockTicksPerSec()
  } catch (err) {
    sink.fail(null, 'rate', `no CPU accounting from /proc (getconf CLK_TCK: ${(err as Error).message})`)
    return
  }
  const random = seededRandom(run.seed)
  for (let round = 1; round <= run.plan.rounds; round++) {
    for (const w of RATE_WORKLOADS) {
      const order = shuffle(w === 'http' ? run.httpVariants : run.wsVariants, random)
      if (order.length === 0) continue
      const servers = await Promise.all(order.map(async (variant) => {
        try {
          return await startServer(variant, run.spawn)
        } catch (err) {
          sink.fail(variant, `rate ${w}`, (err as Error).message)
          return undefined
        }
      }))
      for (const [i, variant] of order.entries()) {
        const server = servers[i]
        if (server !== undefined) await measure(sink, round, w, variant, server, run.plan)
      }
    }
  }
}
