/**
 * What a run does: the suites, the load of a full and a quick run, and the command line that
 * picks among them.
 */
import { DEFAULT_VARIANTS, DIAGNOSTIC_VARIANTS, isVariant, VARIANTS, type Variant } from './variants.js'

export type Suite = 'http' | 'echo' | 'handshakes' | 'memory' | 'workers' | 'rate'
export const SUITES: Suite[] = ['http', 'echo', 'handshakes', 'memory', 'workers', 'rate']

/** The workloads of the fixed-rate suite. */
export type RateWorkload = 'http' | 'echo32' | 'echo16k' | 'handshakes'
export const RATE_WORKLOADS: RateWorkload[] = ['http', 'echo32', 'echo16k', 'handshakes']

/**
 * The fixed-rate suite: every workload at a rate far below saturation, each round fresh servers of all the
 * variants under one paced load, in a seeded shuffled order. Its own rounds (`--rounds` overrides them too).
 */
export interface RatePlan {
  rounds: number
  /** Seconds of paced load before each window. */
  warmSec: number
  /** Open connections of the echo and HTTP workloads. */
  connections: number
  /**
   * Operations per second and window seconds of each workload, and the operations that prime each fresh
   * server first (as fast as they go), so its hot paths are compiled before the paced load starts.
   */
  workloads: Record<RateWorkload, { rate: number, sec: number, prime: number }>
}

/** Durations in seconds; `warm` is the warm-up round's. */
export interface Plan {
  rounds: number
  warmup: boolean
  http: { connections: number, pipelining: number, sec: number, warmSec: number }
  echo: { connections: number, sec: number, warmSec: number, maxMessages: number, sizes: Array<{ prefix: 'echo32' | 'echo16k', size: number, inFlight: number }> }
  handshakes: { concurrency: number, sec: number, warmSec: number, max: number }
  /** Memory is stable from round to round; it runs in the first `rounds` measured rounds only. */
  memory: { connections: number, rounds: number }
  /** `spin()` on 1 and on 2 workers under wrk; each measurement is a fresh server, warmed for `warmSec` first. */
  workers: { connections: number, threads: number, sec: number, warmSec: number }
  rate: RatePlan
}

const ECHO_SIZES: Plan['echo']['sizes'] = [
  { prefix: 'echo32', size: 32, inFlight: 8 },
  { prefix: 'echo16k', size: 16 * 1024, inFlight: 2 }
]

// Many short rounds rather than a few long ones: on a shared machine a burst of foreign load spoils a
// round, and the median of five per-round ratios shrugs off two spoiled rounds.
export const FULL: Plan = {
  rounds: 5,
  warmup: true,
  http: { connections: 100, pipelining: 10, sec: 6, warmSec: 3 },
  echo: { connections: 50, sec: 4, warmSec: 2, maxMessages: 5_000_000, sizes: ECHO_SIZES },
  handshakes: { concurrency: 10, sec: 4, warmSec: 2, max: 200_000 },
  memory: { connections: 5000, rounds: 3 },
  workers: { connections: 100, threads: 1, sec: 6, warmSec: 2 },
  // Rates far below saturation (of the saturated figures in RESULTS.md: 32 B echo 7 %, handshakes 4 %, HTTP 6 %
  // of node-http's pipelined rate): a server's bill is set at normal load, where batching no longer hides
  // per-message work.
  // 16 KB at 2 000/s is 32 MB/s each way, about 13 % of the saturated 16 KB echo; 10 000/s would be two thirds
  // of it. Handshakes get a longer window: at 200/s they use the least CPU per second, and /proc counts it in
  // 10 ms ticks. Priming: without it a fresh server at 200 handshakes/s was still compiling in the window
  // (ws-raw: 530 µs per handshake in its first window, 330-380 µs in the next three). A handshake runs most of
  // its functions once, and a router-based server runs more of them, so V8 takes longer to optimise them all:
  // after 2 000 priming handshakes ws-compat still had 25 and 21 functions optimised in its next two windows of
  // 1 000 (`--trace-opt`; ws-raw 16 and 4) and cost 443 and 401 µs per handshake there, 330-350 µs once they
  // were done. 10 000 leaves both at 0-4 per window, so the window measures the steady state a server lives in.
  // 15 rounds: the variants of a workload share each window, so a round costs one window, not one per variant.
  rate: {
    rounds: 15,
    warmSec: 1,
    connections: 20,
    workloads: {
      http: { rate: 5000, sec: 3, prime: 10_000 },
      echo32: { rate: 10_000, sec: 3, prime: 20_000 },
      echo16k: { rate: 2000, sec: 3, prime: 4000 },
      handshakes: { rate: 200, sec: 5, prime: 10_000 }
    }
  }
}

/** The same rates with `sec`-second windows and a tenth of the priming. */
function shortened (workloads: RatePlan['workloads'], sec: number): RatePlan['workloads'] {
  const out = { ...workloads }
  for (const w of RATE_WORKLOADS) out[w] = { ...workloads[w], sec, prime: Math.round(workloads[w].prime / 10) }
  return out
}

/** A smoke test: every driver against every variant once, briefly; well under a minute. */
export const QUICK: Plan = {
  rounds: 1,
  warmup: false,
  http: { connections: 100, pipelining: 10, sec: 1, warmSec: 1 },
  echo: { connections: 20, sec: 1, warmSec: 1, maxMessages: 1_000_000, sizes: ECHO_SIZES },
  handshakes: { concurrency: 10, sec: 1, warmSec: 1, max: 50_000 },
  memory: { connections: 1000, rounds: 1 },
  workers: { connections: 100, threads: 1, sec: 1, warmSec: 0 },
  // The same rates and warm-up, shorter windows: every workload exercised on every variant once. With all of a
  // workload's servers under one load, a shorter warm-up (0.15 s was tried) left the HTTP servers working off the
  // priming's backlog in the window, so no CPU figure was recorded for them.
  rate: { ...FULL.rate, rounds: 1, workloads: shortened(FULL.rate.workloads, 0.5) }
}

/** The command line, parsed. */
export interface Options {
  quick: boolean
  variants: Variant[]
  suites: Suite[]
  rounds: number | undefined
  cpuProf: boolean
  tsx: boolean
  /** Megabytes of long-lived objects each server keeps before it starts (`0`: none), as an application's own state. */
  ballastMb: number
  /** Re-render the report of this saved run instead of measuring. */
  report: string | undefined
  /** Fixed-rate overrides: operations per second per workload, window seconds. */
  rates: Partial<Record<RateWorkload, number>>
  rateSec: number | undefined
  /** Seed of the fixed-rate suite's shuffled order (default: from the clock, printed and saved). */
  seed: number | undefined
}

const USAGE = `usage: pnpm bench [--quick] [--only VARIANT,...] [--suites ${SUITES.join(',')}] [--rounds N] [--cpu-prof] [--tsx] [--ballast MB] [--report FILE]
  --quick     one short round of everything (smoke test, < 1 min); writes results/quick.json
  --only      run these variants only (${VARIANTS.join(', ')});
              ${DIAGNOSTIC_VARIANTS.join(', ')} run only when named here
  --suites    run these suites only
  --rounds    measured rounds (default ${FULL.rounds})
  --cpu-prof  write a V8 CPU profile of every server process to results/profiles/
  --tsx       load the servers' TypeScript through tsx (the dev loader) instead of the build-equivalent one
  --ballast M every server first keeps M MB of long-lived objects, as an application's own state would
              (V8 sizes its old-generation limits from the live heap; see RESULTS.md, 16 KB echo)
  --report F  re-render RESULTS.md and the chart from a saved run (results/latest.json) without measuring
  --rate-http N, --rate-echo32 N, --rate-echo16k N, --rate-handshakes N
              fixed-rate suite: operations per second (defaults ${RATE_WORKLOADS.map((w) => FULL.rate.workloads[w].rate).join(', ')})
  --rate-sec S  fixed-rate suite: seconds of every measured window
  --seed N    fixed-rate suite: seed of the shuffled variant order (to replay a run's order)
A full default run writes results/latest.json, results/ratios.svg and the tables of RESULTS.md;
a filtered run (--only, --suites, --tsx, --ballast, --rate-*) writes results/partial.json.`

/** Parses `pnpm bench` arguments; throws with the usage on a bad one, exits on `--help`. */
export function parseOptions (argv: string[]): Options {
  const opts: Options = { quick: false, variants: [...DEFAULT_VARIANTS], suites: [...SUITES], rounds: undefined, cpuProf: false, tsx: false, ballastMb: 0, report: undefined, rates: {}, rateSec: undefined, seed: undefined }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const value = (): string => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`)
      return v
    }
    if (arg === '--quick') opts.quick = true
    else if (arg === '--cpu-prof') opts.cpuProf = true
    else if (arg === '--tsx') opts.tsx = true
    else if (arg === '--report') opts.report = value()
    else if (arg === '--only') {
      const names = value().split(',').filter(Boolean)
      for (const n of names) if (!isVariant(n)) throw new Error(`unknown variant ${n}\n${USAGE}`)
      opts.variants = names as Variant[]
    } else if (arg === '--suites') {
      const names = value().split(',').filter(Boolean)
      for (const n of names) if (!SUITES.includes(n as Suite)) throw new Error(`unknown suite ${n}\n${USAGE}`)
      opts.suites = names as Suite[]
    } else if (arg === '--rounds') {
      opts.rounds = Number(value())
      if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error(`--rounds must be a positive integer\n${USAGE}`)
    } else if (arg === '--ballast') {
      opts.ballastMb = Number(value())
      if (!Number.isInteger(opts.ballastMb) || opts.ballastMb < 0 || opts.ballastMb > 4096) throw new Error(`--ballast must be a whole number of MB (0-4096)\n${USAGE}`)
    } else if (arg.startsWith('--rate-') && RATE_WORKLOADS.includes(arg.slice('--rate-'.length) as RateWorkload)) {
      opts.rates[arg.slice('--rate-'.length) as RateWorkload] = positive(arg, value())
    } else if (arg === '--rate-sec') {
      opts.rateSec = positive(arg, value())
    } else if (arg === '--seed') {
      opts.seed = Number(value())
      if (!Number.isInteger(opts.seed) || opts.seed < 0) throw new Error(`--seed must be a non-negative integer\n${USAGE}`)
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else if (arg !== '--') throw new Error(`unknown argument ${arg}\n${USAGE}`)
  }
  return opts
}

function positive (arg: string, v: string): number {
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${arg} must be a positive number\n${USAGE}`)
  return n
}

/** The fixed-rate suite of `plan` with the command line's overrides applied. */
export function ratePlan (plan: Plan, opts: Pick<Options, 'rates' | 'rateSec' | 'rounds'>): RatePlan {
  const workloads = {} as RatePlan['workloads']
  for (const w of RATE_WORKLOADS) {
    const base = plan.rate.workloads[w]
    workloads[w] = { rate: opts.rates[w] ?? base.rate, sec: opts.rateSec ?? base.sec, prime: base.prime }
  }
  return { ...plan.rate, rounds: opts.rounds ?? plan.rate.rounds, workloads }
}

/** `list` rotated by `n`, so no variant always runs first (or right after another's load). */
export function rotate<T> (list: readonly T[], n: number): T[] {
  if (list.length === 0) return []
  const k = n % list.length
  return [...list.slice(k), ...list.slice(0, k)]
}
