/**
 * Several servers under one paced load. Each operation of the pacer is one operation on every server, started
 * together, the first of them rotating, so every server lives through the same moments of the host: whatever
 * else the machine does (another tenant, a burst of interrupts, the load generator's own GC) lands on all of them
 * alike, and the ratio of two servers' costs in one window keeps little of it. Measured one after another, the
 * same servers' ratios moved by more than the 5 % differences they were read for.
 */
import { runPaced, type PacedLoad, type PacedResult, type RateClient } from './pacing.js'

const MAX_PROBLEMS_LISTED = 5

/** One server's counters while the load runs. */
class Share {
  started = 0
  finished = 0
  pending = 0
  readonly problems: string[] = []
  private problemCount = 0

  constructor (readonly client: RateClient, readonly cpuMicros: () => number) {}

  async op (seq: number): Promise<void> {
    this.started++
    this.pending++
    try {
      await this.client.op(seq)
      this.finished++
    } catch (err) {
      this.problem(`operation ${seq}: ${err instanceof Error ? err.message : String(err)}`)
      throw err
    } finally {
      this.pending--
    }
  }

  problem (msg: string): void {
    if (++this.problemCount <= MAX_PROBLEMS_LISTED) this.problems.push(msg)
    else if (this.problemCount === MAX_PROBLEMS_LISTED + 1) this.problems.push('(further problems not listed)')
  }
}

/** The window's two ends: every server's CPU time and finished operations, read at the same tick. */
interface Mark { cpu: number[], finished: number[] }

/**
 * Paces `load` over all `clients` at once (`load.rate` operations per second on each) and returns what the window
 * saw for each of them, in their order: its CPU time (`cpuMicros[k]()` read at the window's ends), the operations
 * it completed inside the window, and its own problems. A server whose operation failed, or which still had
 * operations in flight after the drain, has the problem in its own result; the others are not blamed for it.
 * The clients stay open.
 */
export async function runTogether (load: PacedLoad, clients: readonly RateClient[], cpuMicros: ReadonlyArray<() => number>): Promise<PacedResult[]> {
  if (clients.length === 0 || clients.length !== cpuMicros.length) throw new RangeError('one CPU reader per client, at least one client')
  const shares = clients.map((c, k) => new Share(c, cpuMicros[k] as () => number))
  const n = shares.length
  const op = async (seq: number): Promise<void> => {
    // All of them, even when one fails: the others' operations are not left running past the drain.
    const settled = await Promise.allSettled(shares.map((_, i) => (shares[(seq + i) % n] as Share).op(seq)))
    const failed = settled.find((s) => s.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  }
  const marks: Mark[] = []
  const paced = await runPaced(load, op, () => {
    marks.push({ cpu: shares.map((s) => s.cpuMicros()), finished: shares.map((s) => s.finished) })
    return 0
  })
  const [before, after] = marks
  for (const s of shares) if (s.pending > 0) s.problem(`${s.pending} operations unfinished after the window closed`)
  // A problem of the pacer's own that no server's counters explain (none is expected) is every server's.
  const unexplained = shares.every((s) => s.problems.length === 0) ? paced.problems : []
  return shares.map((s, k) => {
    const problems = [...s.problems, ...unexplained]
    const measured = before !== undefined && after !== undefined
    return {
      scheduled: paced.scheduled,
      windowMs: paced.windowMs,
      skipped: paced.skipped,
      completed: measured ? (after.finished[k] as number) - (before.finished[k] as number) : 0,
      cpuMicros: measured ? (after.cpu[k] as number) - (before.cpu[k] as number) : 0,
      started: s.started,
      finished: s.finished,
      problems
    }
  })
}
