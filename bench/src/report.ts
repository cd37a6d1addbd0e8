/**
 * Turns the samples of a run into the published results: medians, ratios measured inside each
 * round (so machine drift between rounds cancels), targets, `latest.json`, the tables of
 * RESULTS.md and the ratio chart.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { renderChart, type BarGroup } from './chart.js'
import { CPU_OF, METRIC_NAMES, METRICS, TARGETS, type Metric, type Target } from './metrics.js'
import { median, ratio, spread } from './stats.js'
import { fmtInt, fmtMs, fmtRatio, fmtStatus, fmtUs, present, table } from './format.js'
import { normalLoadTable, rateChartGroups, rateTable } from './report-rate.js'
import { HTTP_VARIANTS, VARIANTS, WS_VARIANTS, type Variant } from './variants.js'

export { ratio }

/** One measurement: a variant's value of a metric in one round. */
export interface Sample {
  round: number
  variant: Variant
  metric: Metric
  value: number
}

/** Something a variant did wrong (a crash, a bad response, a wrong echo). */
export interface Failure {
  variant: Variant | null
  suite: string
  message: string
}

/** Where and how the run happened. */
export interface RunMeta {
  date: string
  node: string
  cpus: number
  cpuModel: string
  quick: boolean
  rounds: number
  warmup: boolean
  /** The load parameters, for the record. */
  load: Record<string, unknown>
}

/** A whole run. */
export interface Report {
  meta: RunMeta
  samples: Sample[]
  failures: Failure[]
}

/** The median of one variant's metric over the rounds. */
export interface Row {
  variant: Variant
  metric: Metric
  value: number
  unit: string
  samples: number[]
}

/** A target with the ratio measured. `met` is null when either side was not measured. */
export interface TargetResult extends Target {
  /** The median of the per-round ratios (`versus / variant` for an efficiency target). */
  ratio: number
  /** The smallest and largest per-round ratio (NaN when none). */
  min: number
  max: number
  met: boolean | null
  /**
   * For throughput targets, the same ratio predicted from server CPU per operation
   * (`cpu(versus) / cpu(variant)`), steadier on a shared machine; NaN otherwise.
   */
  cpuRatio: number
  metByCpu: boolean | null
}

/** Medians per variant and metric, in metric order. */
export function summarize (samples: readonly Sample[]): Row[] {
  const rows: Row[] = []
  for (const metric of METRIC_NAMES) {
    const variants = [...new Set(samples.filter((s) => s.metric === metric).map((s) => s.variant))]
    for (const variant of variants) {
      const values = samples.filter((s) => s.metric === metric && s.variant === variant).map((s) => s.value)
      rows.push({ variant, metric, value: median(values), unit: METRICS[metric].unit, samples: values })
    }
  }
  return rows
}

/** `a / b` of one variant's two metrics, taken inside each round, then the median (the workers suite's 2 / 1). */
export function metricRatio (samples: readonly Sample[], variant: Variant, a: Metric, b: Metric): { value: number, samples: number[] } {
  const at = (m: Metric, round: number): number | undefined => samples.find((s) => s.variant === variant && s.metric === m && s.round === round)?.value
  const ratios: number[] = []
  for (const round of new Set(samples.filter((s) => s.variant === variant && s.metric === a).map((s) => s.round))) {
    const x = at(a, round)
    const y = at(b, round)
    if (x !== undefined && y !== undefined && y !== 0 && Number.isFinite(x) && Number.isFinite(y)) ratios.push(x / y)
  }
  return { value: median(ratios), samples: ratios }
}

/** Every target with its measured ratio. */
export function evaluateTargets (samples: readonly Sample[]): TargetResult[] {
  const meets = (t: Target, r: number): boolean | null => Number.isFinite(r) ? (t.kind === 'min' ? r >= t.goal : r <= t.goal) : null
  return TARGETS.map((t) => {
    const r = t.by === 'efficiency' ? ratio(samples, t.versus, t.variant, t.metric) : ratio(samples, t.variant, t.versus, t.metric)
    const cpuMetric = CPU_OF[t.metric]
    const cpuRatio = cpuMetric === undefined ? NaN : ratio(samples, t.versus, t.variant, cpuMetric).value
    const { min, max } = spread(r.samples)
    return { ...t, ratio: r.value, min, max, met: meets(t, r.value), cpuRatio, metByCpu: meets(t, cpuRatio) }
  })
}

const fmtKB = (v: number): string => Number.isFinite(v) ? (v / 1024).toFixed(1) : 'n/a'

/** The metrics of the saturated WebSocket tables (a run of the fixed-rate suite alone has none). */
const SATURATED_WS_METRICS: Metric[] = ['echo32_mps', 'echo16k_mps', 'handshakes_ps', 'mem_rss', 'mem_heap']

/** The ratio chart: the headline metrics, every non-baseline variant measured, target ticks. */
export function chartFor (report: Report): string {
  const groups: BarGroup[] = []
  for (const metric of METRIC_NAMES.filter((m) => METRICS[m].headline)) {
    const info = METRICS[metric]
    const measured = new Set(report.samples.filter((s) => s.metric === metric).map((s) => s.variant))
    const bars = VARIANTS.filter((v) => measured.has(v) && v !== info.baseline).map((v) => {
      const goal = TARGETS.find((t) => t.variant === v && t.versus === info.baseline && t.metric === metric)?.goal
      const bar = { label: v, ratio: ratio(report.samples, v, info.baseline, metric).value }
      return goal === undefined ? bar : { ...bar, goal }
    })
    if (bars.length === 0) continue
    const direction = info.higherIsBetter ? 'higher is better' : 'lower is better'
    groups.push({ title: `${info.label} vs ${info.baseline} (${direction})`, higherIsBetter: info.higherIsBetter, bars })
  }
  groups.push(...rateChartGroups(report.samples))
  return renderChart(`Ratio to the baseline, median of per-round ratios (${report.meta.date.slice(0, 10)})`, groups)
}

/** The generated part of RESULTS.md (tables, targets, chart link, run facts). */
export function renderMarkdown (report: Report, chartPath = 'results/ratios.svg'): string {
  const { meta, samples } = report
  const rows = summarize(samples)
  const med = (v: Variant, m: Metric): number => rows.find((r) => r.variant === v && r.metric === m)?.value ?? NaN
  const r = (v: Variant, m: Metric): number => ratio(samples, v, METRICS[m].baseline, m).value
  const out: string[] = []

  out.push(`Run of ${meta.date} - Node ${meta.node}, ${meta.cpus} CPUs (${meta.cpuModel}), ${meta.rounds} measured round(s)${meta.warmup ? ' after a warm-up round' : ', no warm-up'}${meta.quick ? ' (quick mode: a smoke test, not a measurement)' : ''}.`)
  const ballast = meta.load.ballastMb
  if (typeof ballast === 'number' && ballast > 0) out.push(`Every server kept a ${ballast} MB ballast of long-lived objects (\`--ballast ${ballast}\`).`)
  out.push('Ratios are taken inside each round, then the median over the rounds; absolute numbers are medians.')
  out.push('', `![ratios](${chartPath})`)

  const http = present(samples, HTTP_VARIANTS, ['http_rps', 'http_cpu', 'http_p99'])
  if (http.length > 0) {
    out.push('', '### HTTP: `GET /hello` (autocannon -c 100 -p 10)', '')
    out.push(table(['variant', 'req/s vs node-http', 'server CPU / req vs node-http', 'req/s', 'p99 ms', 'server CPU µs / req'],
      http.map((v) => [v, fmtRatio(r(v, 'http_rps')), fmtRatio(r(v, 'http_cpu')), fmtInt(med(v, 'http_rps')), fmtMs(med(v, 'http_p99')), fmtUs(med(v, 'http_cpu'))])))
  }
  const ws = present(samples, WS_VARIANTS, SATURATED_WS_METRICS)
  if (ws.length > 0) {
    out.push('', '### WebSocket: ratios to ws-raw', '')
    out.push('Throughput (higher is better), then server CPU per operation and memory (lower is better).', '')
    out.push(table(['variant', 'echo 32 B', 'echo 16 KB', 'handshakes', 'CPU / msg 32 B', 'CPU / msg 16 KB', 'CPU / handshake', 'RSS / conn', 'heap / conn'],
      ws.map((v) => [v, ...(['echo32_mps', 'echo16k_mps', 'handshakes_ps', 'echo32_cpu', 'echo16k_cpu', 'handshakes_cpu', 'mem_rss', 'mem_heap'] as Metric[]).map((m) => fmtRatio(r(v, m)))])))
    out.push('', '### WebSocket: absolute numbers', '')
    out.push(table(['variant', '32 B msg/s', '32 B p50 / p99 ms', '32 B CPU µs / msg', '16 KB msg/s', '16 KB p50 / p99 ms', '16 KB CPU µs / msg', 'handshakes/s', 'handshake p99 ms', 'CPU µs / handshake', 'RSS KB / conn', 'heap KB / conn', 'external KB / conn'],
      ws.map((v) => [v,
        fmtInt(med(v, 'echo32_mps')), `${fmtMs(med(v, 'echo32_p50'))} / ${fmtMs(med(v, 'echo32_p99'))}`, fmtUs(med(v, 'echo32_cpu')),
        fmtInt(med(v, 'echo16k_mps')), `${fmtMs(med(v, 'echo16k_p50'))} / ${fmtMs(med(v, 'echo16k_p99'))}`, fmtUs(med(v, 'echo16k_cpu')),
        fmtInt(med(v, 'handshakes_ps')), fmtMs(med(v, 'handshakes_p99')), fmtUs(med(v, 'handshakes_cpu')),
        fmtKB(med(v, 'mem_rss')), fmtKB(med(v, 'mem_heap')), fmtKB(med(v, 'mem_external'))])))
  }

  if (samples.some((s) => s.metric === 'workers2_rps' || s.metric === 'workers1_rps')) {
    const { connections, threads } = (meta.load.workers ?? {}) as { connections?: number, threads?: number }
    out.push('', `### spin() on workers: router \`GET /hello\` (wrk -t${threads ?? '?'} -c${connections ?? '?'}, keep-alive)`, '')
    out.push(table(['workers', 'req/s', 'p99 ms', 'vs 1 worker'], [
      ['1', fmtInt(med('router', 'workers1_rps')), fmtMs(med('router', 'workers1_p99')), '1.00x'],
      ['2', fmtInt(med('router', 'workers2_rps')), fmtMs(med('router', 'workers2_p99')), fmtRatio(metricRatio(samples, 'router', 'workers2_rps', 'workers1_rps').value)]
    ]))
  }

  out.push(...rateTable(report))

  out.push('', '### Targets')
  const targets = evaluateTargets(samples)
  const saturated = targets.filter((t) => t.normalLoad !== true)
  // A run of the fixed-rate suite alone measured none of the saturated targets: no table of "not measured".
  if (saturated.some((t) => t.met !== null)) {
    out.push('', '"By CPU" is the throughput ratio the servers\' CPU time per operation predicts (`cpu(versus) / cpu(variant)`):',
      'on a shared machine it moves far less than the throughput itself.', '')
    out.push(table(['target', 'goal', 'measured', 'status', 'by CPU', 'status by CPU'], saturated.map((t) => [
    `${t.variant} / ${t.versus}, ${METRICS[t.metric].label}`,
    `${t.kind === 'min' ? '>=' : '<='} ${t.goal.toFixed(2)}x`,
    // Three digits: a ratio shown as the goal must not read as met when it is just under.
    fmtRatio(t.ratio, 3),
    fmtStatus(t.met),
    CPU_OF[t.metric] === undefined ? '' : fmtRatio(t.cpuRatio, 3),
    CPU_OF[t.metric] === undefined ? '' : fmtStatus(t.metByCpu)
    ])))
  }
  out.push(...normalLoadTable(targets))

  if (report.failures.length > 0) {
    out.push('', '### Failures', '')
    for (const f of report.failures) out.push(`- ${f.variant ?? 'run'} (${f.suite}): ${f.message.split('\n')[0]}`)
  }
  return out.join('\n')
}

/** `latest.json`: rows of variant, metric, value, unit, plus the run facts, ratios, targets and raw samples. */
export function toJson (report: Report): object {
  const ratios = METRIC_NAMES.flatMap((metric) => {
    const baseline = METRICS[metric].baseline
    const variants = [...new Set(report.samples.filter((s) => s.metric === metric).map((s) => s.variant))]
    return variants.filter((v) => v !== baseline).map((variant) => ({ variant, versus: baseline, metric, ...ratio(report.samples, variant, baseline, metric) }))
  })
  return {
    ...report.meta,
    rows: summarize(report.samples),
    ratios,
    targets: evaluateTargets(report.samples),
    failures: report.failures,
    samples: report.samples
  }
}

/** The run back from its `toJson` form (to re-render the report without measuring again). */
export function fromJson (json: RunMeta & { samples: Sample[], failures: Failure[] }): Report {
  const { date, node, cpus, cpuModel, quick, rounds, warmup, load, samples, failures } = json
  return { meta: { date, node, cpus, cpuModel, quick, rounds, warmup, load }, samples, failures }
}

export const RESULTS_START = '<!-- bench:results:start (generated by `pnpm bench`; edit outside these markers) -->'
export const RESULTS_END = '<!-- bench:results:end -->'

/** Replaces the generated section of `existing` (or appends one), keeping the prose around it. */
export function spliceResults (existing: string, generated: string): string {
  const block = `${RESULTS_START}\n${generated}\n${RESULTS_END}`
  const start = existing.indexOf(RESULTS_START)
  const end = existing.indexOf(RESULTS_END)
  if (start !== -1 && end > start) return existing.slice(0, start) + block + existing.slice(end + RESULTS_END.length)
  return `${existing.trimEnd()}${existing.trim() === '' ? '' : '\n\n'}${block}\n`
}

/**
 * Writes a full run: `results/latest.json`, `results/ratios.svg` and the generated section of
 * `RESULTS.md`, all under `benchDir`.
 */
export async function writeReport (report: Report, benchDir: string): Promise<string[]> {
  const json = join(benchDir, 'results', 'latest.json')
  const svg = join(benchDir, 'results', 'ratios.svg')
  const md = join(benchDir, 'RESULTS.md')
  await mkdir(dirname(json), { recursive: true })
  await writeFile(json, JSON.stringify(toJson(report), null, 2) + '\n')
  await writeFile(svg, chartFor(report))
  const existing = await readFile(md, 'utf8').catch(() => '# Benchmark results\n')
  await writeFile(md, spliceResults(existing, renderMarkdown(report)))
  return [json, svg, md]
}
