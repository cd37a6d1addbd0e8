/** Small statistics helpers shared by the drivers and the report. */
import type { Metric } from './metrics.js'
import type { Sample } from './report.js'
import type { Variant } from './variants.js'

/**
 * A bounded recorder of latency samples (ms). Samples beyond `capacity` are dropped, which
 * keeps memory fixed however long a run lasts; the drivers size it to their message budget.
 */
export class LatencyRecorder {
  private readonly samples: Float64Array
  private n = 0

  constructor (capacity: number) {
    this.samples = new Float64Array(Math.max(1, capacity))
  }

  /** Number of samples kept. */
  get count (): number { return this.n }

  /** Adds one sample (ms). */
  record (ms: number): void {
    if (this.n < this.samples.length) this.samples[this.n++] = ms
  }

  /** The given percentiles (0-100) of the samples kept, NaN when there are none. */
  percentiles (...ps: number[]): number[] {
    const sorted = this.samples.slice(0, this.n).sort()
    return ps.map((p) => percentileOfSorted(sorted, p))
  }
}

/** Nearest-rank percentile (0-100) of an ascending array; NaN for an empty one. */
export function percentileOfSorted (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number
}

/** Median of the finite values; NaN when there are none. */
export function median (values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The smallest and largest finite value; NaN for both when there is none. */
export function spread (values: readonly number[]): { min: number, max: number } {
  const finite = values.filter(Number.isFinite)
  if (finite.length === 0) return { min: NaN, max: NaN }
  return { min: Math.min(...finite), max: Math.max(...finite) }
}

/**
 * `variant / versus` on `metric`: the ratio is taken inside each round where both were
 * measured, then the median of those ratios; NaN when no round has both.
 */
export function ratio (samples: readonly Sample[], variant: Variant, versus: Variant, metric: Metric): { value: number, samples: number[] } {
  const byRound = new Map<number, { a?: number, b?: number }>()
  for (const s of samples) {
    if (s.metric !== metric || (s.variant !== variant && s.variant !== versus)) continue
    const entry = byRound.get(s.round) ?? {}
    if (s.variant === variant) entry.a = s.value
    if (s.variant === versus) entry.b = s.value
    byRound.set(s.round, entry)
  }
  const ratios: number[] = []
  for (const { a, b } of byRound.values()) {
    if (a !== undefined && b !== undefined && b !== 0 && Number.isFinite(a) && Number.isFinite(b)) ratios.push(a / b)
  }
  return { value: median(ratios), samples: ratios }
}
