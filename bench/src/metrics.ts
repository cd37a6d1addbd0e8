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
  workers2_p99: { label: 'spin() 2 workers p99', unit: 'ms', higherIsBetter: false, baseline: 'router', headline: false }
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
}

const wsTargets = (variant: Variant): Target[] => [
  { variant, versus: 'ws-raw', metric: 'echo32_mps', goal: 0.95, kind: 'min' },
  { variant, versus: 'ws-raw', metric: 'echo16k_mps', goal: 0.95, kind: 'min' },
  { variant, versus: 'fastify-websocket', metric: 'echo32_mps', goal: 1.0, kind: 'min' },
  { variant, versus: 'fastify-websocket', metric: 'echo16k_mps', goal: 1.0, kind: 'min' },
  { variant, versus: 'ws-raw', metric: 'mem_rss', goal: 1.1, kind: 'max' },
  { variant, versus: 'ws-raw', metric: 'mem_heap', goal: 1.1, kind: 'max' }
]

/** The published goals (not test assertions: the run never fails on them). */
export const TARGETS: Target[] = [
  { variant: 'router', versus: 'node-http', metric: 'http_rps', goal: 1.0, kind: 'min' },
  { variant: 'router', versus: 'fastify', metric: 'http_rps', goal: 1.05, kind: 'min' },
  { variant: 'router-adaptor', versus: 'router', metric: 'http_rps', goal: 0.97, kind: 'min' },
  ...wsTargets('ws-compat'),
  ...wsTargets('ws-compat-legacy')
]
