/**
 * Prints the RELIABILITY.md table from the last run's result files:
 * `node --import tsx reliability/src/lib/summarize.ts` after `pnpm test:reliability`.
 * Rows are (section, case, path); handshake cases are folded into one row per path.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { resultsDir, type Outcome } from './report.js'

const dir = resultsDir()
const rows = new Map<string, Outcome>()
for (const f of readdirSync(dir).filter(f => f.endsWith('.json')).sort()) {
  for (const o of JSON.parse(readFileSync(join(dir, f), 'utf8')) as Outcome[]) {
    const name = o.section === 'handshake' ? 'handshake cases (each: exact status, socket closed, still serving)' : o.name
    const key = `${o.section}\u0000${name}\u0000${o.path}`
    const r = rows.get(key) ?? { ...o, name, tried: 0, survived: 0, lost: 0 }
    r.tried += o.tried
    r.survived += o.survived
    r.lost += o.lost
    rows.set(key, r)
  }
}

const ORDER = ['handshake', 'pipelining', 'frame fuzz', 'load and faults', 'graceful shutdown', 'security']
const sorted = [...rows.values()].sort((a, b) => ORDER.indexOf(a.section) - ORDER.indexOf(b.section))
const total = { tried: 0, survived: 0, lost: 0 }
console.log('| Section | Case | Path | Tried | Survived | Lost | Reproduce |')
console.log('|---|---|---|---:|---:|---:|---|')
for (const r of sorted) {
  total.tried += r.tried
  total.survived += r.survived
  total.lost += r.lost
  console.log(`| ${r.section} | ${r.name} | ${r.path} | ${r.tried} | ${r.survived} | ${r.lost} | \`${r.command}\` |`)
}
console.log(`| **total** | | | **${total.tried}** | **${total.survived}** | **${total.lost}** | |`)
