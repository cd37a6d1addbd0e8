/**
 * `pnpm bench [--quick] [--only a,b] [--suites http,echo,handshakes,memory,workers,rate] [--rounds N] [--cpu-prof] [--tsx] [--ballast MB] [--rate-* N] [--seed N] [--report FILE]`
 *
 * Spawns every variant (`bench/src/server.ts`) on an ephemeral loopback port, checks the
 * contract, then runs the suites in rounds - a warm-up round first, variants interleaved and
 * rotated each round - and writes the report. Exits non-zero only when a variant errors or an
 * echo mismatches; slow numbers are numbers, never failures.
 */
import { cpus } from 'node:os'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkEcho, checkHello } from './contract.js'
import { runEcho } from './drivers/ws-echo.js'
import { runHandshakes } from './drivers/handshakes.js'
import { runHttp } from './drivers/http.js'
import { runMemory } from './drivers/memory.js'
import { wrkAvailable } from './drivers/wrk.js'
import { measureWorkers } from './workers.js'
import type { Metric } from './metrics.js'
import { fromJson, renderMarkdown, toJson, writeReport, type Failure, type Report, type Sample } from './report.js'
import { HELLO_BODY, ECHO_PATH, HELLO_PATH } from './servers/common.js'
import { startServer, type ServerProcess, type SpawnOptions } from './spawn.js'
import { FULL, parseOptions, QUICK, ratePlan, rotate, SUITES, type Options, type Plan, type Suite } from './plan.js'
import { runRateSuite } from './rate/suite.js'
import { DEFAULT_VARIANTS, HTTP_VARIANTS, variantKind, WS_VARIANTS, type Variant } from './variants.js'

const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url))

class Runner {
  readonly samples: Sample[] = []
  readonly failures: Failure[] = []
  private readonly servers = new Map<Variant, ServerProcess>()
  private readonly spawnOpts: SpawnOptions

  constructor (private readonly plan: Plan, opts: Options, profileDir: string | undefined) {
    this.spawnOpts = { tsx: opts.tsx, ballastMb: opts.ballastMb }
    if (profileDir !== undefined) this.spawnOpts.cpuProfDir = profileDir
  }

  /** A failure of `variant` (or of the run), reported and counted. */
  fail (variant: Variant | null, suite: string, message: string): void {
    this.failures.push({ variant, suite, message })
    console.error(`FAIL ${variant ?? 'run'} (${suite}): ${message}`)
  }

  /** A measurement; the warm-up round's (round 0) are not kept. */
  record (round: number, variant: Variant, metric: Metric, value: number): void {
    if (round > 0) this.samples.push({ round, variant, metric, value })
  }

  log (round: number, message: string): void {
    log(round, message)
  }

  /** How the servers are started (the fixed-rate suite starts its own with the same options). */
  get spawnOptions (): SpawnOptions {
    return this.spawnOpts
  }

  private alive (variant: Variant): ServerProcess | undefined {
    const server = this.servers.get(variant)
    if (server === undefined) return undefined
    if (server.failure !== null) {
      this.fail(variant, 'server', server.failure.message)
      this.servers.delete(variant)
      return undefined
    }
    return server
  }

  /**
   * Starts measuring the server's CPU time; the returned function gives the microseconds it spent
   * per operation since (NaN when the server cannot answer, which its failure reports anyway).
   */
  private async cpuMeter (server: ServerProcess): Promise<(ops: number) => Promise<number>> {
    const start = await server.cpuTime().catch(() => NaN)
    return async (ops) => {
      const end = await server.cpuTime().catch(() => NaN)
      return ops > 0 ? (end - start) / ops : NaN
    }
  }

  /** After a driver run: its problems, and a crash of the server during it, are failures. */
  private check (variant: Variant, suite: string, problems: string[]): void {
    for (const p of problems) this.fail(variant, suite, p)
    this.alive(variant)
  }

  /** Starts the long-lived servers of the throughput suites, in parallel, and checks the contract. */
  async startAll (variants: Variant[]): Promise<void> {
    await Promise.all(variants.map(async (variant) => {
      let server: ServerProcess
      try {
        server = await startServer(variant, this.spawnOpts)
      } catch (err) {
        this.fail(variant, 'start', (err as Error).message)
        return
      }
      this.servers.set(variant, server)
      try {
        const problems = await checkHello(server.url)
        if (variantKind(variant) === 'ws') problems.push(...await checkEcho(server.wsUrl))
        this.check(variant, 'contract', problems)
      } catch (err) {
        this.check(variant, 'contract', [(err as Error).message])
      }
    }))
  }

  async stopAll (): Promise<void> {
    await Promise.all([...this.servers].map(async ([variant, server]) => {
      try {
        await server.stop()
      } catch (err) {
        this.fail(variant, 'stop', (err as Error).message)
      }
    }))
    this.servers.clear()
  }

  async http (round: number, variants: readonly Variant[]): Promise<void> {
    const { connections, pipelining, sec, warmSec } = this.plan.http
    for (const variant of rotate(variants, round)) {
      const server = this.alive(variant)
      if (server === undefined) continue
      const cpu = await this.cpuMeter(server)
      const r = await runHttp({ url: server.url + HELLO_PATH, connections, pipelining, durationSec: round === 0 ? warmSec : sec, expectBody: HELLO_BODY })
      this.check(variant, 'http', r.problems)
      this.record(round, variant, 'http_rps', r.reqPerSec)
      this.record(round, variant, 'http_p99', r.p99Ms)
      const cpuPerReq = await cpu(r.completed)
      this.record(round, variant, 'http_cpu', cpuPerReq)
      log(round, `http ${variant}: ${fmt(r.reqPerSec)} req/s, p99 ${r.p99Ms} ms${r.timeouts > 0 ? `, ${r.timeouts} timeouts` : ''}, ${cpuPerReq.toFixed(1)} µs CPU/req`)
    }
  }

  async echo (round: number, variants: readonly Variant[]): Promise<void> {
    const { connections, sec, warmSec, maxMessages, sizes } = this.plan.echo
    for (const { prefix, size, inFlight } of sizes) {
      for (const variant of rotate(variants, round)) {
        const server = this.alive(variant)
        if (server === undefined) continue
        const cpu = await this.cpuMeter(server)
        const r = await runEcho({ url: server.wsUrl + ECHO_PATH, connections, inFlight, size, durationSec: round === 0 ? warmSec : sec, maxMessages })
        this.check(variant, `echo ${size} B`, r.problems)
        const cpuPerMsg = await cpu(r.received)
        this.record(round, variant, `${prefix}_cpu`, cpuPerMsg)
        this.record(round, variant, `${prefix}_mps`, r.msgsPerSec)
        this.record(round, variant, `${prefix}_p50`, r.p50Ms)
        this.record(round, variant, `${prefix}_p99`, r.p99Ms)
        log(round, `echo ${size} B ${variant}: ${fmt(r.msgsPerSec)} msg/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${cpuPerMsg.toFixed(1)} µs CPU/msg (${connections} x ${inFlight})`)
      }
    }
  }

  /**
   * Each variant in a fresh server, warmed by `warmSec` of the same load first. A burst of handshakes leaves
   * V8's young generation at its largest, and in a process whose old generation is a few MB (every framework
   * stack) that starts a loop of incremental marking that slows whatever the process serves next: a 16 KB
   * echo after 15 000 handshakes cost 25 % more CPU per message (44 full collections during 30 000 echoes,
   * none before). The long-lived echo servers therefore never serve this suite.
   */
  async handshakes (round: number, variants: readonly Variant[]): Promise<void> {
    const { concurrency, sec, warmSec, max } = this.plan.handshakes
    for (const variant of rotate(variants, round)) {
      await this.inFreshServer(variant, 'handshakes', async (server) => {
        const url = server.wsUrl + ECHO_PATH
        const warm = await runHandshakes({ url, concurrency, durationSec: warmSec, maxHandshakes: max })
        this.check(variant, 'handshakes', warm.problems)
        const cpu = await this.cpuMeter(server)
        const r = await runHandshakes({ url, concurrency, durationSec: sec, maxHandshakes: max })
        this.check(variant, 'handshakes', r.problems)
        const cpuPerHandshake = await cpu(r.completed)
        this.record(round, variant, 'handshakes_cpu', cpuPerHandshake)
        this.record(round, variant, 'handshakes_ps', r.perSec)
        this.record(round, variant, 'handshakes_p99', r.p99Ms)
        log(round, `handshakes ${variant}: ${fmt(r.perSec)}/s, p99 ${r.p99Ms.toFixed(2)} ms, ${cpuPerHandshake.toFixed(0)} µs CPU/handshake`)
      })
    }
  }

  /** `spin()` on 1 then 2 workers (order rotating), each a fresh server measured by wrk. */
  async workers (round: number): Promise<void> {
    const { connections, threads, sec, warmSec } = this.plan.workers
    for (const n of rotate([1, 2] as const, round)) {
      try {
        const r = await measureWorkers({ workers: n, connections, threads, warmSec, sec, tsx: this.spawnOpts.tsx === true })
        this.check('router', `workers ${n}`, r.problems)
        this.record(round, 'router', `workers${n}_rps`, r.reqPerSec)
        this.record(round, 'router', `workers${n}_p99`, r.p99Ms)
        log(round, `workers ${n}: ${fmt(r.reqPerSec)} req/s, p99 ${r.p99Ms.toFixed(2)} ms (wrk -t${threads} -c${connections})`)
      } catch (err) {
        this.fail('router', `workers ${n}`, (err as Error).message)
      }
    }
  }

  /** Each measurement in a fresh server process, so earlier load does not blur the deltas. */
  async memory (round: number, variants: readonly Variant[]): Promise<void> {
    for (const variant of rotate(variants, round)) {
      await this.inFreshServer(variant, 'memory', async (server) => {
        const r = await runMemory({ url: server.wsUrl + ECHO_PATH, connections: this.plan.memory.connections }, () => server.memory())
        this.check(variant, 'memory', r.problems)
        if (r.problems.length === 0) {
          this.record(round, variant, 'mem_rss', r.rssPerConn)
          this.record(round, variant, 'mem_heap', r.heapPerConn)
          this.record(round, variant, 'mem_external', r.externalPerConn)
        }
        log(round, `memory ${variant}: ${(r.rssPerConn / 1024).toFixed(1)} KB RSS, ${(r.heapPerConn / 1024).toFixed(1)} KB heap per idle connection (${r.connections})`)
      })
    }
  }

  /** Runs `measure` on a server started for it alone, then stops it; every problem is a failure of `suite`. */
  private async inFreshServer (variant: Variant, suite: string, measure: (server: ServerProcess) => Promise<void>): Promise<void> {
    let server: ServerProcess
    try {
      server = await startServer(variant, this.spawnOpts)
    } catch (err) {
      this.fail(variant, suite, (err as Error).message)
      return
    }
    try {
      await measure(server)
    } catch (err) {
      this.fail(variant, suite, (err as Error).message)
    } finally {
      await server.stop().catch((err: Error) => this.fail(variant, suite, err.message))
    }
  }
}

function fmt (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function log (round: number, msg: string): void {
  console.log(`[${round === 0 ? 'warm-up' : `round ${round}`}] ${msg}`)
}

async function main (): Promise<number> {
  const opts = parseOptions(process.argv.slice(2))
  if (opts.report !== undefined) {
    const report = fromJson(JSON.parse(await readFile(opts.report, 'utf8')))
    console.log(`wrote ${(await writeReport(report, BENCH_DIR)).join(', ')}`)
    return 0
  }
  const plan = opts.quick ? QUICK : FULL
  const rounds = opts.rounds ?? plan.rounds
  const httpVariants = HTTP_VARIANTS.filter((v) => opts.variants.includes(v))
  const wsVariants = WS_VARIANTS.filter((v) => opts.variants.includes(v))
  const has = (s: Suite): boolean => opts.suites.includes(s)
  const profileDir = opts.cpuProf ? join(BENCH_DIR, 'results', 'profiles') : undefined
  if (profileDir !== undefined) await mkdir(profileDir, { recursive: true })

  const t0 = Date.now()
  const runner = new Runner(plan, opts, profileDir)
  // wrk is Debian's (`apt-get install -y wrk`): a full run needs it, the smoke run goes on without that row.
  let workers = has('workers') && opts.variants.includes('router')
  if (workers && !wrkAvailable()) {
    workers = false
    if (opts.quick) console.log('workers: skipped, wrk is not installed (apt-get install -y wrk)')
    else runner.failures.push({ variant: 'router', suite: 'workers', message: 'wrk is not installed (apt-get install -y wrk)' })
  }
  const longLived = [...(has('http') ? httpVariants : []), ...(has('echo') ? wsVariants : [])]
  await runner.startAll(longLived)
  try {
    for (let round = plan.warmup ? 0 : 1; round <= rounds; round++) {
      if (has('http')) await runner.http(round, httpVariants)
      if (has('echo')) await runner.echo(round, wsVariants)
      // Every handshakes measurement warms its own fresh server: the warm-up round has nothing to add.
      if (has('handshakes') && round > 0) await runner.handshakes(round, wsVariants)
      if (has('memory') && round > 0 && round <= plan.memory.rounds) await runner.memory(round, wsVariants)
      // Every workers measurement warms its own fresh server: the warm-up round has nothing to add.
      if (workers && round > 0) await runner.workers(round)
    }
  } finally {
    await runner.stopAll()
  }
  const rate = ratePlan(plan, opts)
  const seed = opts.seed ?? (Date.now() >>> 0)
  if (has('rate')) {
    console.log(`rate: ${rate.rounds} round(s), seed ${seed} (--seed ${seed} replays the order)`)
    // Fresh servers of its own, so it runs after the long-lived ones stopped.
    await runRateSuite({ plan: rate, seed, httpVariants, wsVariants, spawn: runner.spawnOptions }, runner)
  }

  const cpu = cpus()
  const report: Report = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      quick: opts.quick,
      rounds,
      warmup: plan.warmup,
      load: { ...plan, rate: { ...rate, seed }, rounds, variants: opts.variants, suites: opts.suites, loader: opts.tsx ? 'tsx' : 'esbuild (as the build)', ballastMb: opts.ballastMb }
    },
    samples: runner.samples,
    failures: runner.failures
  }
  console.log('\n' + renderMarkdown(report) + '\n')

  const full = !opts.quick && DEFAULT_VARIANTS.every((v) => opts.variants.includes(v)) && opts.variants.length === DEFAULT_VARIANTS.length && opts.suites.length === SUITES.length && !opts.tsx && opts.ballastMb === 0 && Object.keys(opts.rates).length === 0 && opts.rateSec === undefined
  if (full) {
    const written = await writeReport(report, BENCH_DIR)
    console.log(`wrote ${written.join(', ')}`)
  } else {
    const file = join(BENCH_DIR, 'results', opts.quick ? 'quick.json' : 'partial.json')
    await mkdir(join(BENCH_DIR, 'results'), { recursive: true })
    await writeFile(file, JSON.stringify(toJson(report), null, 2) + '\n')
    console.log(`wrote ${file}`)
  }
  if (profileDir !== undefined) console.log(`CPU profiles in ${profileDir}`)
  console.log(`${runner.failures.length === 0 ? 'ok' : `${runner.failures.length} failure(s)`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return runner.failures.length === 0 ? 0 : 1
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(2)
})
