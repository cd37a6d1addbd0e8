/**
 * `pnpm bench:gc-window [--workload W] [--only V,...] [--rounds N] [--seed N] [--sec S] [--node-flag F ...]`:
 * where the fixed-rate suite's CPU per operation goes, by thread and by garbage collection.
 *
 * Runs one workload of the fixed-rate suite as `pnpm bench --suites rate` does (fresh servers side by side, the
 * same priming, warm-up, window and rate), with `--trace-gc` in every server, and prints per variant the medians
 * of CPU per operation on the main thread and on all the others (V8's compiler and concurrent GC threads), their
 * ratio to the first variant, and the GCs each window held: major ones, those run to shrink the heap (V8's memory
 * reducer), and the main thread's pauses for them. `--node-flag` passes a V8 flag to every server (repeatable),
 * e.g. `--node-flag --no-memory-reducer` for an ablation.
 */
import { parseGcLine, type GcEvent } from './gc-trace.js'
import { FULL, RATE_WORKLOADS, type RatePlan, type RateWorkload } from './plan.js'
import { openRateClient, pacedLoad } from './rate/suite.js'
import { threadCpuMicros } from './rate/proc-cpu.js'
import { seededRandom, shuffle } from './rate/shuffle.js'
import { runTogether } from './rate/together.js'
import { startServer, type ServerProcess } from './spawn.js'
import { median } from './stats.js'
import { DEFAULT_VARIANTS, HTTP_VARIANTS, isVariant, type Variant } from './variants.js'

interface Args { workload: RateWorkload, variants: Variant[], rounds: number, seed: number, sec: number | undefined, nodeFlags: string[] }

const USAGE = 'usage: pnpm bench:gc-window [--workload http|echo32|echo16k|handshakes] [--only V,...] [--rounds N] [--seed N] [--sec S] [--node-flag F ...]'

function parse (argv: string[]): Args {
  const args: Args = { workload: 'handshakes', variants: [], rounds: 6, seed: Date.now() % 1e9, sec: undefined, nodeFlags: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const value = argv[++i]
    if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`)
    if (arg === '--workload' && RATE_WORKLOADS.includes(value as RateWorkload)) args.workload = value as RateWorkload
    else if (arg === '--only' && value.split(',').every(isVariant)) args.variants = value.split(',') as Variant[]
    else if (arg === '--rounds' && Number.isInteger(Number(value)) && Number(value) > 0) args.rounds = Number(value)
    else if (arg === '--seed' && Number.isInteger(Number(value))) args.seed = Number(value)
    else if (arg === '--sec' && Number(value) > 0) args.sec = Number(value)
    else if (arg === '--node-flag') args.nodeFlags.push(value)
    else throw new Error(`bad argument ${arg} ${value}\n${USAGE}`)
  }
  // The contract's variants of the workload's kind, baseline first.
  if (args.variants.length === 0) args.variants = DEFAULT_VARIANTS.filter((v) => (args.workload === 'http') === HTTP_VARIANTS.includes(v))
  return args
}

/** The suite's full plan, with the window `--sec` long when given. */
function windowPlan (args: Args): RatePlan {
  const plan = FULL.rate
  if (args.sec === undefined) return plan
  return { ...plan, workloads: { ...plan.workloads, [args.workload]: { ...plan.workloads[args.workload], sec: args.sec } } }
}

/** What one window of one server held. */
interface Window { main: number, others: number, major: number, reduce: number, majorPauseMs: number }

/** A server with every GC it reported, and its thread times read at the window's ends. */
interface Traced { server: ServerProcess, gcs: GcEvent[], marks: Array<{ main: number, others: number, gcs: number }> }

async function round (args: Args, order: readonly Variant[]): Promise<Map<Variant, Window>> {
  const plan = windowPlan(args)
  const started = await Promise.allSettled(order.map(async (variant): Promise<Traced> => {
    const gcs: GcEvent[] = []
    const server = await startServer(variant, {
      nodeFlags: ['--trace-gc', ...args.nodeFlags],
      onStdoutLine: (line) => { const gc = parseGcLine(line); if (gc !== null) gcs.push(gc) }
    })
    return { server, gcs, marks: [] }
  }))
  const traced = started.flatMap((s) => s.status === 'fulfilled' ? [s.value] : [])
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed !== undefined) {
    // The servers that did start are not left running.
    for (const s of traced) await s.server.stop().catch(() => {})
    throw failed.reason
  }
  try {
    const clients = await Promise.all(traced.map((s) => openRateClient(args.workload, s.server, plan.connections)))
    const results = await runTogether(pacedLoad(args.workload, plan, plan.workloads[args.workload].rate), clients, traced.map((s) => () => {
      const threads = threadCpuMicros(s.server.pid)
      if (threads === null) throw new Error('no schedstat: the split by thread needs it')
      s.marks.push({ ...threads, gcs: s.gcs.length })
      return threads.main + threads.others
    }))
    for (const c of clients) await c.close()
    const out = new Map<Variant, Window>()
    traced.forEach((s, k) => {
      const r = results[k]
      const [a, b] = s.marks
      if (r === undefined || a === undefined || b === undefined || r.problems.length > 0 || r.completed === 0) {
        console.error(`${s.server.variant}: no window (${r?.problems.join('; ') ?? 'no result'})`)
        return
      }
      const majors = s.gcs.slice(a.gcs, b.gcs).filter((g) => g.major)
      out.set(s.server.variant, {
        main: (b.main - a.main) / r.completed,
        others: (b.others - a.others) / r.completed,
        major: majors.length,
        reduce: majors.filter((g) => g.reduce).length,
        majorPauseMs: majors.reduce((sum, g) => sum + g.pauseMs, 0)
      })
    })
    return out
  } finally {
    for (const s of traced) await s.server.stop()
  }
}

const f1 = (n: number): string => n.toFixed(1)
const ratioText = (n: number): string => Number.isFinite(n) ? `${n.toFixed(3)}x` : 'n/a'

async function main (): Promise<void> {
  const args = parse(process.argv.slice(2).filter((a) => a !== '--'))
  const random = seededRandom(args.seed)
  const windows: Array<Map<Variant, Window>> = []
  console.log(`${args.workload} at ${FULL.rate.workloads[args.workload].rate}/s, ${windowPlan(args).workloads[args.workload].sec} s windows, ${args.rounds} rounds, seed ${args.seed}${args.nodeFlags.length > 0 ? `, servers with ${args.nodeFlags.join(' ')}` : ''}`)
  for (let r = 1; r <= args.rounds; r++) {
    windows.push(await round(args, shuffle(args.variants, random)))
    console.error(`round ${r} of ${args.rounds} done`)
  }
  const base = args.variants[0] as Variant
  const unit = args.workload === 'http' ? 'request' : args.workload === 'handshakes' ? 'handshake' : 'message'
  console.log(`| variant | CPU µs / ${unit} | main thread | other threads | vs ${base} | main vs ${base} | major GCs / window | memory-reducer GCs / window | main-thread pause ms / window |`)
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const v of args.variants) {
    const mine = windows.map((w) => w.get(v)).filter((w): w is Window => w !== undefined)
    const paired = windows.filter((w) => w.has(v) && w.has(base)).map((w) => [w.get(v), w.get(base)] as [Window, Window])
    const mean = (pick: (w: Window) => number): string => mine.length === 0 ? 'n/a' : (mine.reduce((s, w) => s + pick(w), 0) / mine.length).toFixed(2)
    console.log(`| ${v} | ${f1(median(mine.map((w) => w.main + w.others)))} | ${f1(median(mine.map((w) => w.main)))} | ${f1(median(mine.map((w) => w.others)))} | ` +
      `${ratioText(median(paired.map(([w, b]) => (w.main + w.others) / (b.main + b.others))))} | ${ratioText(median(paired.map(([w, b]) => w.main / b.main)))} | ` +
      `${mean((w) => w.major)} | ${mean((w) => w.reduce)} | ${mean((w) => w.majorPauseMs)} |`)
  }
}

main().catch((err: Error) => {
  console.error(err.message)
  process.exitCode = 1
})
