/**
 * Totals of a V8 heap snapshot by kind of object, and the difference of two of them, for `heap-per-conn.ts`.
 * The snapshot format is V8's: one flat `nodes` array whose record layout `snapshot.meta.node_fields` gives.
 */

/** The parts of a `.heapsnapshot` file read here. */
export interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[], node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

/** Count and self size per kind of object. */
export type HeapSummary = Map<string, { count: number, bytes: number }>

/** One kind of object's growth between two snapshots, per connection. */
export interface HeapDiffRow {
  key: string
  countPerConn: number
  bytesPerConn: number
}

// Node types whose name is the constructor (objects) or the function (closures); the others are grouped by type,
// because their names are contents (a string's text, a number) rather than kinds.
const NAMED_TYPES = new Set(['object', 'closure', 'native', 'hidden', 'object shape'])

/** Sums self sizes per kind (`type:name` for named types, `(type)` for the rest). */
export function summariseHeap (file: HeapSnapshotFile): HeapSummary {
  const fields = file.snapshot.meta.node_fields
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const types = file.snapshot.meta.node_types[0]
  const out: HeapSummary = new Map()
  for (let i = 0; i < file.nodes.length; i += width) {
    const type = types[file.nodes[i + typeAt] as number] ?? '?'
    const key = NAMED_TYPES.has(type) ? `${type}:${file.strings[file.nodes[i + nameAt] as number] ?? '?'}` : `(${type})`
    const entry = out.get(key)
    const size = file.nodes[i + sizeAt] as number
    if (entry === undefined) out.set(key, { count: 1, bytes: size })
    else { entry.count++; entry.bytes += size }
  }
  return out
}

/** What grew from `before` to `after`, divided by `per`, largest first. */
export function diffHeaps (before: HeapSummary, after: HeapSummary, per: number): HeapDiffRow[] {
  const rows: HeapDiffRow[] = []
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, bytes: 0 }
    if (a.bytes === b.bytes && a.count === b.count) continue
    rows.push({ key, countPerConn: (a.count - b.count) / per, bytesPerConn: (a.bytes - b.bytes) / per })
  }
  for (const [key, b] of before) {
    if (!after.has(key)) rows.push({ key, countPerConn: -b.count / per, bytesPerConn: -b.bytes / per })
  }
  return rows.sort((x, y) => y.bytesPerConn - x.bytesPerConn)
}
