/**
 * Starts a server under test as a child process (`bench/src/server.ts`), waits for its
 * printed address, and watches it: an exit the runner did not ask for is a failure of that
 * variant. Also asks the child for its own memory numbers over the IPC channel.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Variant } from './variants.js'

const SERVER_ENTRY = fileURLToPath(new URL('./server.ts', import.meta.url))
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** Compiles the sources as the published build is compiled (see loader/hooks.mjs). */
const LOADER = new URL('./loader/register.mjs', import.meta.url).href

/** Generous: the first start compiles TypeScript, and a loaded 2-core machine is slow. */
const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000
const PROBE_TIMEOUT_MS = 30_000
const READY_LINE = /listening on (http:\/\/(\[[^\]]+\]|[^\s:/]+):(\d+))/

/** `process.memoryUsage()` of the server, taken after a full GC. */
export interface MemoryUsage {
  rss: number
  heapTotal: number
  heapUsed: number
  external: number
  arrayBuffers: number
}

/** Options of one server process. */
export interface SpawnOptions {
  /** Directory for a V8 CPU profile of the whole server life (`--cpu-prof`), if any. */
  cpuProfDir?: string
  /**
   * Load the TypeScript sources through tsx (the dev loader `pnpm bench:server` uses) instead of the
   * build-equivalent loader; tsx's name keeping costs closures, so numbers come out lower.
   */
  tsx?: boolean
  /** Megabytes of long-lived objects the server keeps before it starts (see `ballast.ts`). */
  ballastMb?: number
  /** More options for the server's node (V8 flags such as `--trace-gc`), before the entry script. */
  nodeFlags?: readonly string[]
  /** Called with every line the server prints on stdout after its address. */
  onStdoutLine?: (line: string) => void
}

/** A running server child process. */
export interface ServerProcess {
  variant: Variant
  /** `http://HOST:PORT` as the server printed it. */
  url: string
  /** `ws://HOST:PORT`. */
  wsUrl: string
  pid: number
  /** Set once the process died without being asked to (with its stderr tail). */
  failure: Error | null
  /** The server's memory, measured in the server after a full GC. */
  memory(): Promise<MemoryUsage>
  /** CPU time (user + system, microseconds) the server process has used so far. */
  cpuTime(): Promise<number>
  /** Writes a V8 heap snapshot of the server to `path` (after V8's own full GC) and resolves with the path. */
  heapSnapshot(path: string): Promise<string>
  /** SIGTERM, then waits for exit; rejects when it does not exit cleanly. */
  stop(): Promise<void>
}

/** Spawns `variant` on an ephemeral loopback port and resolves once it printed its address. */
export async function startServer (variant: Variant, opts: SpawnOptions = {}): Promise<ServerProcess> {
  const nodeArgs = ['--conditions=hertz-source', '--import', opts.tsx === true ? 'tsx' : LOADER, '--expose-gc', ...(opts.nodeFlags ?? [])]
  if (opts.cpuProfDir !== undefined) {
    // One directory per process: V8 writes one profile per thread (tsx adds a loader thread),
    // and a fixed --cpu-prof-name would let them overwrite each other. The main thread's file is CPU.*.0.001.cpuprofile.
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(opts.cpuProfDir, `${variant}-${Date.now()}`)}`)
  }
  const serverArgs = [variant, '--addr', '127.0.0.1:0']
  if (opts.ballastMb !== undefined && opts.ballastMb > 0) serverArgs.push('--ballast', String(opts.ballastMb))
  const child = spawn(process.execPath, [...nodeArgs, SERVER_ENTRY, ...serverArgs], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })

  let stopping = false
  const handle: ServerProcess = {
    variant,
    url: '',
    wsUrl: '',
    pid: child.pid ?? -1,
    failure: null,
    memory: () => ask<MemoryUsage>(child, variant, 'memory'),
    heapSnapshot: (path) => ask<string>(child, variant, 'heap-snapshot', { path }),
    cpuTime: async () => {
      const { user, system } = await ask<NodeJS.CpuUsage>(child, variant, 'cpu')
      return user + system
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        if (handle.failure !== null) throw handle.failure
        return
      }
      stopping = true
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      const [code, signal] = await exited
      clearTimeout(timer)
      if (code !== 0) throw new Error(`${variant}: exit ${code ?? signal} on SIGTERM${tail(stderr)}`)
    }
  }

  child.on('exit', (code, signal) => {
    if (!stopping) handle.failure = new Error(`${variant}: server exited unexpectedly (${code ?? signal})${tail(stderr)}`)
  })

  handle.url = await waitForAddress(child, variant, () => stderr)
  if (opts.onStdoutLine !== undefined) forEachLine(child, opts.onStdoutLine)
  handle.wsUrl = handle.url.replace(/^http/, 'ws')
  return handle
}

function forEachLine (child: ChildProcess, onLine: (line: string) => void): void {
  let rest = ''
  child.stdout?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n')
    rest = lines.pop() as string
    for (const line of lines) onLine(line)
  })
}

function tail (stderr: string): string {
  const t = stderr.trim()
  return t === '' ? '' : `\n--- server stderr ---\n${t}`
}

function waitForAddress (child: ChildProcess, variant: Variant, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${variant}: no address printed within ${READY_TIMEOUT_MS} ms${tail(stderr())}`))
    }, READY_TIMEOUT_MS)
    const onData = (chunk: string): void => {
      out += chunk
      const m = READY_LINE.exec(out)
      if (m === null) return
      cleanup()
      // Keep draining stdout so a chatty server never blocks on a full pipe.
      child.stdout?.resume()
      resolve(m[1] as string)
    }
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup()
      reject(new Error(`${variant}: exited (${code ?? signal}) before printing its address${tail(stderr())}`))
    }
    const cleanup = (): void => {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
    }
    child.stdout?.setEncoding('utf8').on('data', onData)
    child.on('exit', onExit)
  })
}

/** Sends `{ type }` over the IPC channel and resolves with the server's `{ type, value }` answer. */
function ask<T> (child: ChildProcess, variant: Variant, type: 'memory' | 'cpu' | 'heap-snapshot', extra: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage)
      reject(new Error(`${variant}: no ${type} answer within ${PROBE_TIMEOUT_MS} ms`))
    }, PROBE_TIMEOUT_MS)
    const onMessage = (msg: { type?: string, value?: T }): void => {
      if (msg?.type !== type || msg.value === undefined) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(msg.value)
    }
    child.on('message', onMessage)
    child.send({ ...extra, type })
  })
}
