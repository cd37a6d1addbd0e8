/**
 * `pnpm bench:server <variant> --addr HOST:PORT` - starts one server under test.
 *
 * Prints `<variant> listening on http://HOST:PORT` once ready and exits 0 on SIGTERM/SIGINT.
 * When spawned with an IPC channel (as the runner does) it also answers `{ type: 'memory' }`
 * with its own `process.memoryUsage()` after a full GC and `{ type: 'cpu' }` with its
 * `process.cpuUsage()`, so memory and CPU are measured inside the server, never in the load
 * generator; and it exits when that channel goes away, so it never outlives the runner.
 */
import { writeHeapSnapshot } from 'node:v8'
import { formatUrl, parseAddr } from '@hertz-node/test-kit/host-port'
import { keepBallast } from './ballast.js'
import { describeVariant, isVariant, loadVariant, VARIANTS, type Variant } from './variants.js'
import type { RunningServer } from './servers/types.js'

/** How long a close may take before the process exits anyway (idle sockets must not hold it). */
const CLOSE_DEADLINE_MS = 2000

function parseArgs (argv: string[]): { variant: Variant, host: string, port: number, ballastMb: number } {
  let name: string | undefined
  let addr = '127.0.0.1:0'
  let ballastMb = 0
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--addr') addr = argv[++i] ?? ''
    else if (arg.startsWith('--addr=')) addr = arg.slice('--addr='.length)
    else if (arg === '--ballast') ballastMb = Number(argv[++i])
    else if (!arg.startsWith('-') && name === undefined) name = arg
    else throw new Error(`unknown argument ${arg}`)
  }
  if (!Number.isInteger(ballastMb) || ballastMb < 0) throw new Error('--ballast needs a whole number of MB')
  if (name === undefined || !isVariant(name)) {
    const list = VARIANTS.map((v) => `  ${v.padEnd(18)} ${describeVariant(v)}`).join('\n')
    throw new Error(`usage: pnpm bench:server <variant> --addr HOST:PORT [--ballast MB]\nvariants:\n${list}`)
  }
  return { variant: name, ballastMb, ...parseAddr(addr) }
}

/** Full GC (when --expose-gc) then the numbers, so the runner compares settled heaps. */
function memorySnapshot (): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) { gc(); gc() }
  return process.memoryUsage()
}

function serveProbes (): void {
  if (process.send === undefined) return
  process.on('message', (msg: { type?: string, path?: string }) => {
    if (msg?.type === 'memory') process.send?.({ type: 'memory', value: memorySnapshot() })
    else if (msg?.type === 'cpu') process.send?.({ type: 'cpu', value: process.cpuUsage() })
    else if (msg?.type === 'heap-snapshot') process.send?.({ type: 'heap-snapshot', value: writeHeapSnapshot(msg.path) })
  })
}

async function main (): Promise<void> {
  let args
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error((err as Error).message)
    process.exit(2)
  }
  keepBallast(args.ballastMb)
  const start = await loadVariant(args.variant)
  const running: RunningServer = await start(args.host, args.port)

  let closing = false
  const shutdown = (): void => {
    if (closing) return
    closing = true
    const deadline = setTimeout(() => process.exit(0), CLOSE_DEADLINE_MS)
    running.close().then(() => {
      clearTimeout(deadline)
      process.exit(0)
    }, (err: unknown) => {
      console.error(`${args.variant}: close failed:`, err)
      process.exit(1)
    })
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
  process.on('disconnect', shutdown)
  serveProbes()

  console.log(`${args.variant} listening on ${formatUrl(running.address.address, running.address.port)}`)
}

await main()
