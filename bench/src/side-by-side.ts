/**
 * `pnpm bench:side-by-side [variants] [--workload W] [--windows N] [--sec S] [--rate N]` - CPU per operation of
 * several variants run at the same time, at a fixed rate each, window after window on the same servers.
 *
 * The fixed-rate suite runs its variants together too (`runTogether`), one window per round on fresh servers;
 * this runs many windows on one set of servers, in the order named, for a quick look at one workload. Each window
 * gives every variant's CPU per operation (all its threads, from /proc) and its ratio to the first variant; the
 * medians of those ratios are printed at the end. The workloads, their rates, priming and connections are the
 * fixed-rate suite's; by default handshakes of ws-raw, ws-compat and ws-compat-legacy, 8 windows of 5 s.
 */
import { onRate, RATE_METRICS } from './metrics.js'
import { processCpuMicros } from './rate/proc-cpu.js'
import { FULL, RATE_WORKLOADS, type RateWorkload } from './plan.js'
import { achieved, type RateClient } from './rate/pacing.js'
import { openRateClient, pacedLoad } from './rate/suite.js'
import { runTogether } from './rate/together.js'
import { startServer, type ServerProcess } from './spawn.js'
import { median, spread } from './stats.js'
import { isVariant, variantKind, type Variant } from './variants.js'

/** What one run is asked for. */
export interface SideBySideOptions {
  workload: RateWorkload
  variants: Variant[]
  windows: number
  sec: number
  rate: number
}

const USAGE = `usage: pnpm bench:side-by-side [v1,v2,...] [--workload ${RATE_WORKLOADS.join('|')}] [--windows N] [--sec S] [--rate N]`

/** The variants compared when none are named: the baseline first. */
const DEFAULT_VARIANTS: Record<'http' | 'ws', Variant[]> = {
  http: ['node-http', 'router', 'router-adaptor', 'fastify'],
  ws: ['ws-raw', 'ws-compat', 'ws-compat-legacy']
}

function kindOf (w: RateWorkload): 'http' | 'ws' {
  return w === 'http' ? 'http' : 'ws'
}

/** Reads the command line; throws with the usage on anything it does not know. */
export function parseSideBySide (argv: readonly string[]): SideBySideOptions {
  let workload: RateWorkload = 'handshakes'
  let rate: number | undefined
  const named: string[] = []
  const opts = { windows: 8, sec: 5 }
  const positive = (name: string, raw: string | undefined): number => {
    const n = Number(raw)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${String(raw)}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--windows') opts.windows = Math.round(positive(arg, argv[++i]))
    else if (arg === '--sec') opts.sec = positive(arg, argv[++i])
    else if (arg === '--rate') rate = positive(arg, argv[++i])
    else if (arg === '--workload') {
      const w = argv[++i] as RateWorkload
      if (!RATE_WORKLOADS.includes(w)) throw new Error(`unknown workload '${String(w)}'; ${USAGE}`)
      workload = w
    } else if (!arg.startsWith('-')) named.push(...arg.split(','))
    else throw new Error(`unknown argument ${arg}; ${USAGE}`)
  }
  const kind = kindOf(workload)
  const variants: Variant[] = []
  for (const name of named) {
    if (!isVariant(name) || variantKind(name) !== kind) {
      throw new Error(`'${name}' is not ${kind === 'http' ? 'an HTTP' : 'a WebSocket'} variant (workload ${workload})`)
    }
    variants.push(name)
  }
  if (new Set(variants).size !== variants.length) throw new Error('a variant is named twice')
  return {
    workload,
    variants: variants.length === 0 ? [...DEFAULT_VARIANTS[kind]] : variants,
    ...opts,
    rate: rate ?? FULL.rate.workloads[workload].rate
  }
}

/**
 * Per-window ratios of each variant's CPU per operation to the first variant's, and their medians.
 *
 * @param perWindow - for each window, each variant's CPU per operation (µs), in the order of the variants
 */
export function ratiosToFirst (perWindow: readonly (readonly number[])[]): { ratios: number[][], medians: number[] } {
  const ratios = perWindow.map((w) => w.map((v) => v / (w[0] as number)))
  const count = perWindow[0]?.length ?? 0
  const medians = Array.from({ length: count }, (_, i) => median(ratios.map((r) => r[i] as number)))
  return { ratios, medians }
}

async function main (): Promise<void> {
  const opts = parseSideBySide(process.argv.slice(2))
  const { workload: w } = opts
  const { unit } = RATE_METRICS[w]
  const load = pacedLoad(w, FULL.rate, opts.rate)
  const servers: ServerProcess[] = []
  const clients: RateClient[] = []
  try {
    for (const v of opts.variants) servers.push(await startServer(v))
    for (const s of servers) clients.push(await openRateClient(w, s, FULL.rate.connections))
    const cpuReaders = servers.map((s) => () => processCpuMicros(s.pid))
    const perWindow: number[][] = []
    console.log(`side by side, ${RATE_METRICS[w].label} at ${opts.rate}/s each: ${opts.variants.join(', ')} (ratios to ${opts.variants[0] as string})`)
    for (let i = 0; i < opts.windows; i++) {
      // Paced as the fixed-rate suite paces the workload; warm-up and priming before the first window only.
      const results = await runTogether({
        ...load,
        sec: opts.sec,
        warmSec: i === 0 ? load.warmSec : 0,
        primeOps: i === 0 ? load.primeOps : 0
      }, clients, cpuReaders)
      const problems = results.flatMap((r, k) => r.problems.map((p) => `${opts.variants[k] as string}: ${p}`))
      if (problems.length > 0) throw new Error(`window ${i + 1}: ${problems.join('; ')}`)
      const cpu = results.map((r) => r.cpuMicros / r.completed)
      const atRate = results.every((r) => onRate(achieved(r)))
      // As in the fixed-rate suite, a window that was not at the rate (a server fell behind, or worked off a
      // backlog) did not measure the rate: it is shown, and left out of the medians.
      if (atRate) perWindow.push(cpu)
      console.log(`window ${i + 1}: ` + cpu.map((c, k) => `${opts.variants[k] as string} ${c.toFixed(1)} µs (${(c / (cpu[0] as number)).toFixed(3)}x)`).join(', ') +
        ` - ${Math.min(...results.map((r) => r.completed))} of ${Math.round(results[0]?.scheduled ?? 0)} operations${atRate ? '' : ', NOT AT THE RATE: left out'}`)
    }
    if (perWindow.length === 0) throw new Error('no window ran at the fixed rate')
    const { ratios, medians } = ratiosToFirst(perWindow)
    console.log(`\n| variant | CPU µs / ${unit} (median) | ratio to ${opts.variants[0] as string} (median) | range |`)
    console.log('| --- | ---: | ---: | --- |')
    opts.variants.forEach((v, k) => {
      const { min, max } = spread(ratios.map((r) => r[k] as number))
      console.log(`| ${v} | ${median(perWindow.map((c) => c[k] as number)).toFixed(1)} | ${(medians[k] as number).toFixed(3)}x | ${min.toFixed(3)}x - ${max.toFixed(3)}x |`)
    })
  } finally {
    for (const c of clients) {
      const problem = await c.close().catch((err: Error) => err.message)
      if (problem !== null) console.error(problem)
    }
    for (const s of servers) await s.stop().catch((err: Error) => { console.error(err.message) })
  }
}

// Imported by its test for the pure parts; run as a script, it measures.
if (process.argv[1]?.endsWith('side-by-side.ts') === true) await main()
