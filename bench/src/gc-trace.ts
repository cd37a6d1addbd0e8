/**
 * One line of V8's `--trace-gc` output, as a server under test prints it: when (milliseconds since the isolate
 * started), which collector, whether it was run to shrink the heap (`(reduce)`: the memory reducer's, or a
 * memory-pressure GC), and how long it stopped JavaScript.
 */

/** A garbage collection as `--trace-gc` reports it. */
export interface GcEvent {
  atMs: number
  /** `Scavenge`, `Mark-Compact`, `Minor Mark-Sweep`, ... as V8 names its collectors. */
  collector: string
  /** A major GC counts as one whatever V8 calls its mark phase. */
  major: boolean
  reduce: boolean
  /** The main thread's pause; the concurrent marking before it runs on other threads. */
  pauseMs: number
}

const LINE = /^\[\d+:0x[0-9a-f]+\]\s+(\d+(?:\.\d+)?) ms: ([A-Za-z][A-Za-z -]*?)( \(reduce\))? [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, ([\d.]+) \/ [\d.]+ ms/

/** The GC of a `--trace-gc` line; null for any other line (the server's own output, V8's other traces). */
export function parseGcLine (line: string): GcEvent | null {
  const m = LINE.exec(line)
  if (m === null) return null
  const collector = m[2] as string
  return { atMs: Number(m[1]), collector, major: collector.startsWith('Mark-'), reduce: m[3] !== undefined, pauseMs: Number(m[4]) }
}
