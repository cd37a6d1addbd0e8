/**
 * The fixed-rate part of the report: the table of server CPU per operation at a fixed rate, the normal-load
 * targets judged by it, and its chart groups. A saved run without the rate suite renders none of it
 * (and its normal-load target rows say "not measured").
 */
import type { BarGroup } from './chart.js'
import { fmtInt, fmtRatio, fmtStatus, fmtUs, present, table } from './format.js'
import { METRICS, onRate, RATE_ACHIEVED, RATE_METRICS, TARGETS, type Metric } from './metrics.js'
import type { RateWorkload } from './plan.js'
import type { Report, Sample, TargetResult } from './report.js'
import { median, ratio, spread } from './stats.js'
import { HTTP_VARIANTS, VARIANTS, WS_VARIANTS, type Variant } from './variants.js'

const WORKLOADS = Object.keys(RATE_METRICS) as RateWorkload[]
const values = (samples: readonly Sample[], v: Variant, m: Metric): number[] => samples.filter((s) => s.variant === v && s.metric === m).map((s) => s.value)

/**
 * `cpu(baseline) / cpu(variant)` on one workload, per round, then the median and the range: how many of
 * the variant's operations the baseline's CPU time would pay for (higher is better).
 */
export function efficiency (samples: readonly Sample[], variant: Variant, workload: RateWorkload): { value: number, min: number, max: number, samples: number[] } {
  const metric = RATE_METRICS[workload].cpu
  const r = ratio(samples, METRICS[metric].baseline, variant, metric)
  return { ...r, ...spread(r.samples) }
}

/** The achieved column: the median share of the scheduled operations, and the rounds off the rate. */
function achievedCell (samples: readonly Sample[], v: Variant, w: RateWorkload, rate: number | undefined): string {
  const shares = values(samples, v, RATE_METRICS[w].achieved)
  if (shares.length === 0) return 'n/a'
  const share = median(shares)
  const off = shares.filter((x) => !onRate(x)).length
  const served = rate === undefined ? '' : `${fmtInt(share * rate)}/s, `
  return `${served}${(share * 100).toFixed(1)} %${off > 0 ? `, **off rate in ${off} of ${shares.length} rounds**` : ''}`
}

/** The fixed-rate table's Markdown lines (none when the run has no fixed-rate samples). */
export function rateTable (report: Report): string[] {
  const { samples } = report
  const plan = report.meta.load.rate as { rounds?: number, warmSec?: number, connections?: number, workloads?: Partial<Record<RateWorkload, { rate: number, sec: number }>> } | undefined
  const rows: string[][] = []
  for (const w of WORKLOADS) {
    const { cpu, achieved, label, unit } = RATE_METRICS[w]
    const baseline = METRICS[cpu].baseline
    const rate = plan?.workloads?.[w]?.rate
    for (const v of present(samples, w === 'http' ? HTTP_VARIANTS : WS_VARIANTS, [cpu, achieved])) {
      const e = efficiency(samples, v, w)
      rows.push([`${label}${rate === undefined ? '' : ` at ${fmtInt(rate)}/s`}`, v, fmtUs(median(values(samples, v, cpu))) + ` / ${unit}`,
        v === baseline ? '1.00x (baseline)' : fmtRatio(e.value), v === baseline ? '' : `${fmtRatio(e.min)} - ${fmtRatio(e.max)}`, achievedCell(samples, v, w, rate)])
    }
  }
  if (rows.length === 0) return []
  const connections = plan?.connections === undefined ? '' : `, ${plan.connections} connections for HTTP and echo`
  return ['', '### Fixed rate: server CPU per operation at normal load', '',
    `Each round a fresh server per variant, all of them under one paced (open-loop) load${connections}: every tick an operation on each,`,
    `in the round's shuffled order, the first rotating; ${plan?.warmSec ?? '?'} s of warm-up, then one window shared by all. CPU is the run time of`,
    'every server thread (`/proc/<pid>/task/*/schedstat`) over the window divided by the operations it completed in it. Efficiency is',
    '`cpu(baseline) / cpu(variant)` per round (higher is better), median and range over the rounds. A round where a',
    `variant completed less than ${RATE_ACHIEVED.min * 100} % (or more than ${RATE_ACHIEVED.max * 100} %) of its scheduled operations was not at the fixed rate and is left out.`, '',
    table(['workload', 'variant', 'server CPU µs', 'efficiency vs baseline', 'range', 'achieved'], rows)]
}

/** The normal-load targets (fixed rate and memory), with the per-round range. */
export function normalLoadTable (targets: readonly TargetResult[]): string[] {
  const rows = targets.filter((t) => t.normalLoad === true).map((t) => {
    const label = METRICS[t.metric].label
    const what = t.by === 'efficiency' ? `${t.variant} vs ${t.versus}, ${label} (cpu(${t.versus}) / cpu(${t.variant}))` : `${t.variant} / ${t.versus}, ${label}`
    return [what, `${t.kind === 'min' ? '>=' : '<='} ${t.goal.toFixed(2)}x`, fmtRatio(t.ratio, 3), Number.isFinite(t.min) ? `${fmtRatio(t.min, 3)} - ${fmtRatio(t.max, 3)}` : 'n/a', fmtStatus(t.met)]
  })
  return ['', 'Targets at normal load: CPU per operation at a fixed, non-saturating rate (efficiency: higher is better), memory per idle connection.', '',
    table(['target', 'goal', 'median', 'range', 'status'], rows)]
}

/** The chart's fixed-rate groups: efficiency vs the baseline per workload, target ticks as efficiencies. */
export function rateChartGroups (samples: readonly Sample[]): BarGroup[] {
  const groups: BarGroup[] = []
  for (const w of WORKLOADS) {
    const metric = RATE_METRICS[w].cpu
    const baseline = METRICS[metric].baseline
    const bars = VARIANTS.filter((v) => v !== baseline && samples.some((s) => s.variant === v && s.metric === metric)).map((v) => {
      const t = TARGETS.find((x) => x.variant === v && x.versus === baseline && x.metric === metric)
      const bar = { label: v, ratio: efficiency(samples, v, w).value }
      // A "CPU <= 1.05x" target is an efficiency of at least 1 / 1.05.
      return t === undefined ? bar : { ...bar, goal: t.by === 'efficiency' ? t.goal : 1 / t.goal }
    })
    if (bars.length > 0) groups.push({ title: `fixed rate, ${RATE_METRICS[w].label}: CPU efficiency vs ${baseline} (higher is better)`, higherIsBetter: true, bars })
  }
  return groups
}
