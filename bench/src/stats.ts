/** Small statistics helpers shared by the drivers and the report. */

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
