/**
 * The open-loop pacer of the fixed-rate suite: operation i is due `i / rate` seconds after the start,
 * whatever the server does, so a slow server sees the same offered load as a fast one (a closed loop
 * would offer a slow server less and hide its cost). The pacer wakes every millisecond and starts
 * every operation due by then; after a warm-up it measures one window, reading the server's CPU time
 * at the window's first and last tick, then stops offering load and waits for what is in flight.
 */
import { performance } from 'node:perf_hooks'

/** One paced run. */
export interface PacedLoad {
  /**
   * Operations run first as fast as `primeConcurrency` at a time allow, before the paced load: a fresh
   * server compiles its hot paths within its first few thousand operations, and at a low rate those would
   * still be compiling (on V8's background threads, which /proc counts) inside the window.
   */
  primeOps?: number
  primeConcurrency?: number
  /** Operations per second, over all connections. */
  rate: number
  /** Seconds of load before the window (JIT, connection setup, GC sizing settle). */
  warmSec: number
  /** Seconds of the measured window. */
  sec: number
  /**
   * Operations in flight beyond which a due operation is not started but counted as skipped: a server
   * that falls behind must show up as a missed rate, not as an ever-growing queue in the client.
   */
  maxInFlight: number
  /** How long to wait for the operations in flight once the window closed. */
  drainMs?: number
}

/** One server's side of a paced workload: its next operation, and how to let its connections go. */
export interface RateClient {
  /** Runs operation `seq`; resolves when it is complete and checked, rejects with the server's fault. */
  op(seq: number): Promise<void>
  /** Lets the client's connections go; resolves with what went wrong doing so, null when nothing did. */
  close(): Promise<string | null>
}

/** What the window saw. */
export interface PacedResult {
  /** Operations due inside the window (`rate` times its real length). */
  scheduled: number
  /** Operations that completed inside the window. */
  completed: number
  /** Operations skipped in the whole run because `maxInFlight` were already in flight. */
  skipped: number
  /** Operations started and completed in the whole run, warm-up and drain included. */
  started: number
  finished: number
  /** The window's real length. */
  windowMs: number
  /** The server's CPU time over the window, microseconds. */
  cpuMicros: number
  problems: string[]
}

const TICK_MS = 1
const MAX_PROBLEMS_LISTED = 5

/** How many operations are due `elapsedMs` after the start at `rate` per second (operation 0 is due at once). */
export function dueBy (elapsedMs: number, rate: number): number {
  if (elapsedMs < 0) return 0
  return Math.floor((elapsedMs * rate) / 1000) + 1
}

/** completed / scheduled, the share of the fixed rate the server actually served (NaN when nothing was due). */
export function achieved (r: Pick<PacedResult, 'completed' | 'scheduled'>): number {
  return r.scheduled > 0 ? r.completed / r.scheduled : NaN
}

/** Runs `op` `count` times, `concurrency` at a time; resolves with the first failure's message, if any. */
async function prime (count: number, concurrency: number, op: (seq: number) => Promise<void>): Promise<string | undefined> {
  let next = 0
  let failure: string | undefined
  const worker = async (): Promise<void> => {
    while (next < count && failure === undefined) {
      const seq = next++
      try {
        await op(seq)
      } catch (err) {
        failure ??= `priming operation ${seq}: ${err instanceof Error ? err.message : String(err)}`
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker))
  return failure
}

/**
 * Paces `op(seq)` at `load.rate` per second, after the priming operations. `op` resolves when its operation is complete and checked,
 * rejects with the server's fault otherwise. `cpuMicros()` is read at the window's two ends.
 */
export async function runPaced (load: PacedLoad, op: (seq: number) => Promise<void>, cpuMicros: () => number): Promise<PacedResult> {
  const primeOps = load.primeOps ?? 0
  const primeFailure = primeOps > 0 ? await prime(primeOps, load.primeConcurrency ?? 1, op) : undefined
  if (primeFailure !== undefined) {
    return { scheduled: 0, completed: 0, windowMs: 0, cpuMicros: 0, skipped: 0, started: 0, finished: 0, problems: [primeFailure] }
  }
  const problems: string[] = []
  let problemCount = 0
  const problem = (msg: string): void => {
    if (++problemCount <= MAX_PROBLEMS_LISTED) problems.push(msg)
    else if (problemCount === MAX_PROBLEMS_LISTED + 1) problems.push('(further problems not listed)')
  }
  let issued = 0
  let skipped = 0
  let inFlight = 0
  let started = 0
  let completed = 0
  let onSettled: () => void = () => {}
  const settle = (): void => {
    inFlight--
    if (inFlight === 0) onSettled()
  }
  const start = (seq: number): void => {
    inFlight++
    started++
    op(seq).then(() => { completed++; settle() }, (err: unknown) => {
      problem(`operation ${seq}: ${err instanceof Error ? err.message : String(err)}`)
      settle()
    })
  }

  const warmMs = load.warmSec * 1000
  const endMs = warmMs + load.sec * 1000
  let window: { t: number, cpu: number, completed: number } | undefined
  let result: Pick<PacedResult, 'scheduled' | 'completed' | 'windowMs' | 'cpuMicros'> | undefined
  const t0 = performance.now()
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now()
      const elapsed = now - t0
      if (window === undefined && elapsed >= warmMs) window = { t: now, cpu: cpuMicros(), completed }
      if (window !== undefined && elapsed >= endMs) {
        // The window closes before this tick's operations start: they belong to the next instant.
        const windowMs = now - window.t
        result = { scheduled: (windowMs * load.rate) / 1000, completed: completed - window.completed, windowMs, cpuMicros: cpuMicros() - window.cpu }
        resolve()
        return
      }
      for (const due = dueBy(elapsed, load.rate); issued < due; issued++) {
        if (inFlight >= load.maxInFlight) skipped++
        else start(primeOps + issued)
      }
      setTimeout(tick, TICK_MS)
    }
    tick()
  })

  if (inFlight > 0) {
    const drainMs = load.drainMs ?? 10_000
    let timer: NodeJS.Timeout | undefined
    const drained = await Promise.race([
      new Promise<true>((resolve) => { onSettled = () => resolve(true) }),
      new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), drainMs) })
    ])
    clearTimeout(timer)
    if (!drained) problem(`${inFlight} operations unfinished ${drainMs} ms after the window closed`)
  }
  return { ...(result as NonNullable<typeof result>), skipped, started, finished: completed, problems }
}
