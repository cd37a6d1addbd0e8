/**
 * `pnpm bench:heap <variant> [--connections N] [--top N] [--keep]` - where each idle WebSocket's heap goes.
 *
 * Starts the variant as the runner does, warms it, writes a heap snapshot, opens N idle connections, writes a
 * second one, and prints the difference per connection grouped by what V8 calls each object (constructor name,
 * closure name, or "(array)", "(string)", …). The memory suite says how much; this says what. `--keep` leaves
 * both snapshots on disk for Chrome DevTools' Memory panel (its retainers view says who holds each object).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type WebSocket from 'ws'
import { closeSocket, mapBounded, openSocket } from './drivers/ws-client.js'
import { diffHeaps, summariseHeap, type HeapSnapshotFile } from './heap-summary.js'
import { startServer } from './spawn.js'
import { isVariant } from './variants.js'

function parse (argv: string[]): { variant: string, connections: number, top: number, keep: boolean } {
  let variant = ''
  let keep = false
  let connections = 1000
  let top = 30
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--connections') connections = Number(argv[++i])
    else if (arg === '--top') top = Number(argv[++i])
    else if (arg === '--keep') keep = true
    else variant = arg
  }
  if (!isVariant(variant)) throw new Error(`usage: pnpm bench:heap <variant> [--connections N] [--top N] [--keep]; unknown variant '${variant}'`)
  return { variant, connections, top, keep }
}

async function openIdle (url: string, count: number): Promise<WebSocket[]> {
  const { results, error } = await mapBounded(count, 100, () => openSocket(url))
  if (error !== undefined) throw error
  return results as WebSocket[]
}

async function echoOnce (sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
    ws.once('message', () => resolve())
    ws.send('x')
  })))
}

async function main (): Promise<void> {
  const { variant, connections, top, keep } = parse(process.argv.slice(2))
  if (!isVariant(variant)) return
  const dir = mkdtempSync(join(tmpdir(), 'heap-per-conn-'))
  const server = await startServer(variant)
  try {
    const url = `${server.wsUrl}/echo`
    const warm = await openIdle(url, 50)
    await echoOnce(warm)
    await mapBounded(warm.length, 100, (i) => closeSocket(warm[i] as WebSocket))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const before = await server.heapSnapshot(join(dir, 'before.heapsnapshot'))
    const sockets = await openIdle(url, connections)
    // One echo each, as the memory suite does: the connection's read loop has run once.
    await echoOnce(sockets)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const after = await server.heapSnapshot(join(dir, 'after.heapsnapshot'))
    const read = (p: string): HeapSnapshotFile => JSON.parse(readFileSync(p, 'utf8')) as HeapSnapshotFile
    const rows = diffHeaps(summariseHeap(read(before)), summariseHeap(read(after)), connections)
    let total = 0
    for (const r of rows) total += r.bytesPerConn
    console.log(`${variant}: ${(total / 1024).toFixed(2)} KB of heap per idle connection (${connections} connections)`)
    console.log('bytes/conn  objects/conn  what')
    for (const r of rows.slice(0, top)) {
      console.log(`${r.bytesPerConn.toFixed(0).padStart(10)}  ${r.countPerConn.toFixed(2).padStart(12)}  ${r.key}`)
    }
    await mapBounded(sockets.length, 200, (i) => closeSocket(sockets[i] as WebSocket))
  } finally {
    await server.stop()
    if (keep) console.log(`snapshots kept in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

await main()
