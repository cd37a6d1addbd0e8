/**
 * `pnpm bench:side-by-side [variants] [--windows N] [--sec S] [--rate N]` - CPU per handshake of WebSocket
 * variants run at the same time, at a fixed rate each.
 *
 * The rate suite measures one fresh server after another; whatever else the machine does drifts between those
 * measurements, and on a shared host it drifts by more than the differences looked for. Here every variant gets
 * a fresh server, and every tick sends one handshake cycle (connect, one checked echo, close) to each of them,
 * in an order that rotates, so all of them live through the same moments. Each window gives every variant's
 * CPU per handshake (all its threads, from /proc) and its ratio to the first variant; the medians of those
 * ratios are printed at the end. Default: ws-raw, ws-compat, ws-compat-legacy; 8 windows of 5 s at 200/s.
 */
import { handshakeCycle } from './drivers/rate-ws.js'
import { processCpuMicros } from './rate/proc-cpu.js'
import { FULL } from './plan.js'
import { runPaced } from './rate/pacing.js'
import { ECHO_PATH } from './servers/common.js'
import { startServer, type ServerProcess } from './spawn.js'
import { median, spread } from './stats.js'
import { isVariant, variantKind, type Variant } from './variants.js'

/** What one run is asked for. */
export interface SideBySideOptions {
  variants: Variant[]
  windows: number
  sec: number
  rate: number
}

// Primed and warmed as the fixed-rate suite primes and warms its handshake servers (10 cycles at a time).
const { prime: PRIME_PER_SERVER } = FULL.rate.workloads.handshakes
const PRIME_CONCURRENCY = 10

/** Reads the command line; throws with the usage on anything it does not know. */
export function parseSideBySide (argv: readonly string[]): SideBySideOptions {
  const opts: SideBySideOptions = { variants: [], windows: 8, sec: 5, rate: 200 }
  const positive = (name: string, raw: string | undefined): number => {
    const n = Number(raw)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${String(raw)}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--windows') opts.windows = Math.round(positive(arg, argv[++i]))
    else if (arg === '--sec') opts.sec = positive(arg, argv[++i])
    else if (arg === '--rate') opts.rate = positive(arg, argv[++i])
    else if (!arg.startsWith('-')) {
      for (const name of arg.split(',')) {
        if (!isVariant(name) || variantKind(name) !== 'ws') throw new Error(`'${name}' is not a WebSocket variant`)
        opts.variants.push(name)
      }
    } else throw new Error(`unknown argument ${arg}; usage: pnpm bench:side-by-side [v1,v2,...] [--windows N] [--sec S] [--rate N]`)
  }
  if (opts.variants.length === 0) opts.variants = ['ws-raw', 'ws-compat', 'ws-compat-legacy']
  if (new Set(opts.variants).size !== opts.variants.length) throw new Error('a variant is named twice')
  return opts
}

/**
 * Per-window ratios of each variant's CPU per handshake to the first variant's, and their medians.
 *
 * @param perWindow - for each window, each variant's CPU per handshake (µs), in the order of the variants
 */
export function ratiosToFirst (perWindow: readonly (readonly number[])[]): { ratios: number[][], medians: number[] } {
  const ratios = perWindow.map((w) => w.map((v) => v / (w[0] as number)))
  const count = perWindow[0]?.length ?? 0
  const medians = Array.from({ length: count }, (_, i) => median(ratios.map((r) => r[i] as number)))
  return { ratios, medians }
}

async function main (): Promise<void> {
  const opts = parseSideBySide(process.argv.slice(2))
  const servers: ServerProcess[] = []
  try {
    for (const v of opts.variants) servers.push(await startServer(v))
    const urls = servers.map((s) => s.wsUrl + ECHO_PATH)
    const n = servers.length
    // One operation is one cycle on every server, started together, the first of them rotating.
    const op = (seq: number): Promise<void> => Promise.all(urls.map((_, k) => handshakeCycle(urls[(seq + k) % n] as string, seq))).then(() => {})
    const perWindow: number[][] = []
    console.log(`side by side at ${opts.rate}/s each: ${opts.variants.join(', ')} (ratios to ${opts.variants[0] as string})`)
    for (let w = 0; w < opts.windows; w++) {
      const marks: number[][] = []
      const r = await runPaced({
        rate: opts.rate,
        sec: opts.sec,
        warmSec: w === 0 ? FULL.rate.warmSec : 0,
        primeOps: w === 0 ? PRIME_PER_SERVER : 0,
        primeConcurrency: PRIME_CONCURRENCY,
        // A quarter of a second of cycles in flight at most, as the fixed-rate suite allows.
        maxInFlight: Math.ceil(opts.rate / 4)
      }, op, () => { marks.push(servers.map((s) => processCpuMicros(s.pid))); return 0 })
      if (r.problems.length > 0) throw new Error(`window ${w + 1}: ${r.problems.join('; ')}`)
      const [before, after] = marks as [number[], number[]]
      const cpu = servers.map((_, i) => ((after[i] as number) - (before[i] as number)) / r.completed)
      perWindow.push(cpu)
      console.log(`window ${w + 1}: ` + cpu.map((c, i) => `${opts.variants[i] as string} ${c.toFixed(0)} µs (${(c / (cpu[0] as number)).toFixed(3)}x)`).join(', ') +
        ` - ${r.completed} cycles`)
    }
    const { ratios, medians } = ratiosToFirst(perWindow)
    console.log('\n| variant | CPU µs / handshake (median) | ratio to ' + (opts.variants[0] as string) + ' (median) | range |')
    console.log('| --- | ---: | ---: | --- |')
    opts.variants.forEach((v, i) => {
      const { min, max } = spread(ratios.map((r) => r[i] as number))
      console.log(`| ${v} | ${median(perWindow.map((c) => c[i] as number)).toFixed(0)} | ${(medians[i] as number).toFixed(3)}x | ${min.toFixed(3)}x - ${max.toFixed(3)}x |`)
    })
  } finally {
    for (const s of servers) await s.stop().catch((err: Error) => { console.error(err.message) })
  }
}

// Imported by its test for the pure parts; run as a script, it measures.
if (process.argv[1]?.endsWith('side-by-side.ts') === true) await main()
