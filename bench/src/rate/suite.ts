/**
 * The fixed-rate suite (`--suites rate`): each round, each workload, a fresh server process for every variant,
 * all of them under one paced load (`runTogether`: every tick an operation on each, in the round's seeded shuffled
 * order, the first rotating): priming, warm-up, then one window over which each server's CPU time (from /proc) is
 * divided by the operations it completed in it. Fresh processes do not inherit each other's heap, JIT state or GC
 * thresholds; the shared window keeps the host's drift out of the ratios between them.
 */
import type { Metric } from '../metrics.js'
import { onRate, RATE_METRICS } from '../metrics.js'
import { RATE_WORKLOADS, type RatePlan, type RateWorkload } from '../plan.js'
import { openHttpClient } from '../drivers/rate-http.js'
import { handshakeClient, openEchoClient } from '../drivers/rate-ws.js'
import { ECHO_PATH, HELLO_BODY, HELLO_PATH } from '../servers/common.js'
import { startServer, type ServerProcess, type SpawnOptions } from '../spawn.js'
import type { Variant } from '../variants.js'
import { achieved, type PacedLoad, type PacedResult, type RateClient } from './pacing.js'
import { clockTicksPerSec, processCpuMicros } from './proc-cpu.js'
import { seededRandom, shuffle } from './shuffle.js'
import { runTogether } from './together.js'

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

/** Opens workload `w`'s client to `server`: its connections open, ready for the paced operations. */
export function openRateClient (w: RateWorkload, server: Pick<ServerProcess, 'url' | 'wsUrl'>, connections: number): Promise<RateClient> {
  if (w === 'http') return openHttpClient(server.url + HELLO_PATH, connections, HELLO_BODY)
  if (w === 'handshakes') return Promise.resolve(handshakeClient(server.wsUrl + ECHO_PATH))
  return openEchoClient(server.wsUrl + ECHO_PATH, connections, ECHO_SIZES[w])
}

/** Records what the window saw of `variant` on workload `w`. */
function record (sink: SuiteSink, round: number, w: RateWorkload, variant: Variant, r: PacedResult, plan: RatePlan): void {
  const { cpu, achieved: achievedMetric, unit } = RATE_METRICS[w]
  for (const p of r.problems) sink.fail(variant, `rate ${w}`, p)
  const share = achieved(r)
  const perOp = r.completed > 0 ? r.cpuMicros / r.completed : NaN
  sink.record(round, variant, achievedMetric, share)
  const off = !onRate(share)
  // A variant that did not run at the rate was not measured at it: its CPU per operation stays out.
  if (!off && r.problems.length === 0) sink.record(round, variant, cpu, perOp)
  const rate = plan.workloads[w].rate
  sink.log(round, `rate ${w} ${variant}: ${perOp.toFixed(1)} µs CPU/${unit} at ${Math.round(r.completed / (r.windowMs / 1000)).toLocaleString('en-US')}/s of ${rate.toLocaleString('en-US')}/s (${(share * 100).toFixed(1)} %${off ? (share < 1 ? ', FELL BEHIND' : ', OFF RATE: a backlog') : ''}${r.skipped > 0 ? `, ${r.skipped} skipped` : ''})`)
}

/** A variant's fresh server and its client, for one workload of one round. */
interface Running { variant: Variant, server: ServerProcess, client: RateClient }

/** Starts `variant`, opens its client; a failure is the variant's, and leaves nothing running. */
async function open (sink: SuiteSink, w: RateWorkload, variant: Variant, run: RateRun): Promise<Running | undefined> {
  let server: ServerProcess | undefined
  try {
    server = await startServer(variant, run.spawn)
    return { variant, server, client: await openRateClient(w, server, run.plan.connections) }
  } catch (err) {
    sink.fail(variant, `rate ${w}`, (err as Error).message)
    await server?.stop().catch(() => {})
    return undefined
  }
}

/** One workload of one round: every variant's fresh server under the same paced load, then stopped. */
async function measureTogether (sink: SuiteSink, round: number, w: RateWorkload, order: readonly Variant[], run: RateRun): Promise<void> {
  const running = (await Promise.all(order.map((v) => open(sink, w, v, run)))).filter((r): r is Running => r !== undefined)
  try {
    if (running.length === 0) return
    const results = await runTogether(pacedLoad(w, run.plan, run.plan.workloads[w].rate), running.map((r) => r.client),
      running.map((r) => () => processCpuMicros(r.server.pid)))
    running.forEach((r, k) => record(sink, round, w, r.variant, results[k] as PacedResult, run.plan))
  } catch (err) {
    for (const r of running) sink.fail(r.variant, `rate ${w}`, (err as Error).message)
  } finally {
    for (const r of running) {
      const closing = await r.client.close().catch((err: Error) => err.message)
      if (closing !== null) sink.fail(r.variant, `rate ${w}`, closing)
      // A crash during the run is reported by stop().
      await r.server.stop().catch((err: Error) => sink.fail(r.variant, `rate ${w}`, err.message))
    }
  }
}

/**
 * Runs the suite: each round, each workload, fresh servers of every variant, in the round's shuffled order, under
 * one paced load together (see `runTogether`).
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
      if (order.length > 0) await measureTogether(sink, round, w, order, run)
    }
  }
}
