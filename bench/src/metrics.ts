/**
 * What the benchmark measures: metric names, units, direction, baselines, and the targets
 * the numbers are held to. Pure data, shared by the runner and the report.
 */
import type { Variant } from './variants.js'

/** Every metric the drivers produce. */
export type Metric =
  | 'http_rps' | 'http_p99' | 'http_cpu'
  | 'echo32_mps' | 'echo32_p50' | 'echo32_p99' | 'echo32_cpu'
  | 'echo16k_mps' | 'echo16k_p50' | 'echo16k_p99' | 'echo16k_cpu'
  | 'handshakes_ps' | 'handshakes_p99' | 'handshakes_cpu'
  | 'mem_rss' | 'mem_heap' | 'mem_external'
  | 'workers1_rps' | 'workers1_p99' | 'workers2_rps' | 'workers2_p99'
  | 'rate_http_cpu' | 'rate_http_achieved' | 'rate_echo32_cpu' | 'rate_echo32_achieved'
  | 'rate_echo16k_cpu' | 'rate_echo16k_achieved' | 'rate_handshakes_cpu' | 'rate_handshakes_achieved'

/** How a metric is shown and compared. */
export interface MetricInfo {
  label: string
  unit: string
  /** Whether a larger value is the better one (throughput) or the worse one (latency, memory). */
  higherIsBetter: boolean
  /** The variant the headline ratio divides by. */
  baseline: Variant
  /** Part of the headline ratio table and chart. */
  headline: boolean
}

/** All metrics, in table order. */
export const METRICS: Record<Metric, MetricInfo> = {
  http_rps: { label: 'HTTP req/s', unit: 'req/s', higherIsBetter: true, baseline: 'node-http', headline: true },
  http_p99: { label: 'HTTP p99', unit: 'ms', higherIsBetter: false, baseline: 'node-http', headline: false },
  http_cpu: { label: 'HTTP server CPU / req', unit: 'µs', higherIsBetter: false, baseline: 'node-http', headline: true },
  echo32_mps: { label: 'echo 32 B msg/s', unit: 'msg/s', higherIsBetter: true, baseline: 'ws-raw', headline: true },
  echo32_p50: { label: 'echo 32 B p50', unit: 'ms', higherIsBetter: false, baseline: 'ws-raw', headline: false },
  echo32_p99: { label: 'echo 32 B p99', unit: 'ms', higherIsBetter: false, baseline: 'ws-raw', headline: false },
  echo32_cpu: { label: 'echo 32 B server CPU / msg', unit: 'µs', higherIsBetter: false, baseline: 'ws-raw', headline: true },
  echo16k_mps: { label: 'echo 16 KB msg/s', unit: 'msg/s', higherIsBetter: true, baseline: 'ws-raw', headline: true },
  echo16k_p50: { label: 'echo 16 KB p50', unit: 'ms', higherIsBetter: false, baseline: 'ws-raw', headline: false },
  echo16k_p99: { label: 'echo 16 KB p99', unit: 'ms', higherIsBetter: false, baseline: 'ws-raw', headline: false },
  echo16k_cpu: { label: 'echo 16 KB server CPU / msg', unit: 'µs', higherIsBetter: false, baseline: 'ws-raw', headline: true },
  handshakes_ps: { label: 'handshakes/s', unit: '/s', higherIsBetter: true, baseline: 'ws-raw', headline: true },
  handshakes_p99: { label: 'handshake p99', unit: 'ms', higherIsBetter: false, baseline: 'ws-raw', headline: false },
  handshakes_cpu: { label: 'server CPU / handshake', unit: 'µs', higherIsBetter: false, baseline: 'ws-raw', headline: true },
  mem_rss: { label: 'RSS / idle conn', unit: 'B', higherIsBetter: false, baseline: 'ws-raw', headline: true },
  mem_heap: { label: 'heap / idle conn', unit: 'B', higherIsBetter: false, baseline: 'ws-raw', headline: true },
  mem_external: { label: 'external / idle conn', unit: 'B', higherIsBetter: false, baseline: 'ws-raw', headline: false },
  // The workers suite compares the router with itself (2 workers / 1 worker), recorded under the `router` variant.
  workers1_rps: { label: 'spin() 1 worker req/s', unit: 'req/s', higherIsBetter: true, baseline: 'router', headline: false },
  workers1_p99: { label: 'spin() 1 worker p99', unit: 'ms', higherIsBetter: false, baseline: 'router', headline: false },
  workers2_rps: { label: 'spin() 2 workers req/s', unit: 'req/s', higherIsBetter: true, baseline: 'router', headline: false },
  workers2_p99: { label: 'spin() 2 workers p99', unit: 'ms', higherIsBetter: false, baseline: 'router', headline: false },
  // The fixed-rate suite: server CPU per operation over the window (recorded only when the rate was achieved)
  // and the share of the scheduled operations completed in it.
  rate_http_cpu: { label: 'fixed rate HTTP server CPU / req', unit: 'µs', higherIsBetter: false, baseline: 'node-http', headline: false },
  rate_http_achieved: { label: 'fixed rate HTTP achieved', unit: 'share', higherIsBetter: true, baseline: 'node-http', headline: false },
  rate_echo32_cpu: { label: 'fixed rate echo 32 B server CPU / msg', unit: 'µs', higherIsBetter: false, baseline: 'ws-raw', headline: false },
  rate_echo32_achieved: { label: 'fixed rate echo 32 B achieved', unit: 'share', higherIsBetter: true, baseline: 'ws-raw', headline: false },
  rate_echo16k_cpu: { label: 'fixed rate echo 16 KB server CPU / msg', unit: 'µs', higherIsBetter: false, baseline: 'ws-raw', headline: false },
  rate_echo16k_achieved: { label: 'fixed rate echo 16 KB achieved', unit: 'share', higherIsBetter: true, baseline: 'ws-raw', headline: false },
  rate_handshakes_cpu: { label: 'fixed rate server CPU / handshake', unit: 'µs', higherIsBetter: false, baseline: 'ws-raw', headline: false },
  rate_handshakes_achieved: { label: 'fixed rate handshakes achieved', unit: 'share', higherIsBetter: true, baseline: 'ws-raw', headline: false }
}

/** The fixed-rate suite's metrics per workload (the keys are plan.ts's `RateWorkload`s). */
export const RATE_METRICS = {
  http: { cpu: 'rate_http_cpu', achieved: 'rate_http_achieved', label: 'HTTP GET /hello', unit: 'req' },
  echo32: { cpu: 'rate_echo32_cpu', achieved: 'rate_echo32_achieved', label: 'echo 32 B', unit: 'msg' },
  echo16k: { cpu: 'rate_echo16k_cpu', achieved: 'rate_echo16k_achieved', label: 'echo 16 KB', unit: 'msg' },
  handshakes: { cpu: 'rate_handshakes_cpu', achieved: 'rate_handshakes_achieved', label: 'handshakes', unit: 'handshake' }
} as const satisfies Record<string, { cpu: Metric, achieved: Metric, label: string, unit: string }>

/**
 * The share of its scheduled operations a variant must complete in a window to count as measured at
 * the fixed rate. Below it fell behind; above it, it was working off a backlog from the warm-up. Either
 * way its CPU per operation is left out of that round's ratios, and the report says so.
 */
export const RATE_ACHIEVED = { min: 0.97, max: 1.03 }

/** Whether a window's completed / scheduled share counts as the fixed rate. */
export function onRate (share: number): boolean {
  return share >= RATE_ACHIEVED.min && share <= RATE_ACHIEVED.max
}

/**
 * The server CPU time per operation behind each throughput metric. On a shared machine throughput
 * follows whatever else runs; the CPU a server spends per request barely does, so
 * `cpu(versus) / cpu(variant)` is the steadier estimate of the same throughput ratio.
 */
export const CPU_OF: Partial<Record<Metric, Metric>> = {
  http_rps: 'http_cpu',
  echo32_mps: 'echo32_cpu',
  echo16k_mps: 'echo16k_cpu',
  handshakes_ps: 'handshakes_cpu'
}

/** All metric names, in table order. */
export const METRIC_NAMES = Object.keys(METRICS) as Metric[]

/** A goal for one ratio: `variant / versus` on `metric` must be >= (or <=) `goal`. */
export interface Target {
  variant: Variant
  versus: Variant
  metric: Metric
  goal: number
  /** `min`: the ratio must reach the goal; `max`: it must stay under it. */
  kind: 'min' | 'max'
  /**
   * `efficiency`: the ratio is `versus / variant` (for a CPU-per-operation metric: how many of the
   * variant's operations the baseline's CPU would pay for), else `variant / versus`.
   */
  by?: 'efficiency'
  /** One of the normal-load targets, judged by the fixed-rate (and memory) figures in a table of its own. */
  normalLoad?: true
}

const wsTargets = (variant: Variant): Target[] => [
  { variant, versus: 'ws-raw', metric: 'echo32_mps', goal: 0.95, kind: 'min' },
  { variant, versus: 'ws-raw', metric: 'echo16k_mps', goal: 0.95, kind: 'min' },
  { variant, versus: 'fastify-websocket', metric: 'echo32_mps', goal: 1.0, kind: 'min' },
  { variant, versus: 'fastify-websocket', metric: 'echo16k_mps', goal: 1.0, kind: 'min' }
]

const wsRateTargets = (variant: Variant): Target[] => [
  { variant, versus: 'ws-raw', metric: 'rate_echo32_cpu', goal: 0.95, kind: 'min', by: 'efficiency', normalLoad: true },
  { variant, versus: 'ws-raw', metric: 'rate_echo16k_cpu', goal: 0.95, kind: 'min', by: 'efficiency', normalLoad: true },
  { variant, versus: 'ws-raw', metric: 'rate_handshakes_cpu', goal: 1.05, kind: 'max', normalLoad: true },
  { variant, versus: 'ws-raw', metric: 'mem_rss', goal: 1.1, kind: 'max', normalLoad: true },
  { variant, versus: 'ws-raw', metric: 'mem_heap', goal: 1.1, kind: 'max', normalLoad: true }
]

/** The published goals (not test assertions: the run never fails on them). */
export const TARGETS: Target[] = [
  { variant: 'router', versus: 'node-http', metric: 'http_rps', goal: 1.0, kind: 'min' },
  { variant: 'router', versus: 'fastify', metric: 'http_rps', goal: 1.05, kind: 'min' },
  { variant: 'router-adaptor', versus: 'router', metric: 'http_rps', goal: 0.97, kind: 'min' },
  ...wsTargets('ws-compat'),
  ...wsTargets('ws-compat-legacy'),
  { variant: 'router', versus: 'node-http', metric: 'rate_http_cpu', goal: 1.0, kind: 'min', by: 'efficiency', normalLoad: true },
  { variant: 'router', versus: 'fastify', metric: 'rate_http_cpu', goal: 1.05, kind: 'min', by: 'efficiency', normalLoad: true },
  { variant: 'router-adaptor', versus: 'router', metric: 'rate_http_cpu', goal: 0.97, kind: 'min', by: 'efficiency', normalLoad: true },
  ...wsRateTargets('ws-compat'),
  ...wsRateTargets('ws-compat-legacy')
]
