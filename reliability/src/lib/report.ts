/**
 * Outcome records for RELIABILITY.md: each test file records cases tried / survived / lost with the
 * command that reproduces them; on exit the records go to `<test file>.json` in the results directory
 * (`RELIABILITY_RESULTS`, default `<tmpdir>/hertz-node-reliability`; a new run overwrites the old file),
 * and `summarize.ts` turns the directory into the markdown table.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'

/** One row: a unit of cases (a case, a fuzz category, a scenario) on one path. */
export interface Outcome {
  section: string
  name: string
  path: string
  tried: number
  survived: number
  lost: number
  command: string
}

const rows: Outcome[] = []

/** Where result files go. */
export function resultsDir (): string {
  return process.env.RELIABILITY_RESULTS ?? join(tmpdir(), 'hertz-node-reliability')
}

// Registered at import, so the listener is part of every resource baseline taken later.
process.once('exit', () => {
  if (rows.length === 0) return
  const dir = resultsDir()
  mkdirSync(dir, { recursive: true })
  const file = `${basename(process.argv[1] ?? 'unknown').replace(/\.test\.[cm]?[jt]s$/, '')}.json`
  writeFileSync(join(dir, file), JSON.stringify(rows, null, 1))
})

/** Records a single case: survived when `ok`. */
export function recordOutcome (section: string, name: string, path: string, ok: boolean, command: string): void {
  recordCounts({ section, name, path, tried: 1, survived: ok ? 1 : 0, lost: ok ? 0 : 1, command })
}

/** Records a batch of cases. */
export function recordCounts (o: Outcome): void {
  rows.push(o)
}
