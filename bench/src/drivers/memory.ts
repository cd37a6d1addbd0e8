/**
 * Idle-connection memory driver. The server measures itself (see `ServerProcess.memory`, a
 * full GC then `process.memoryUsage()` inside the server), before and after `connections`
 * WebSockets are opened and left idle; the deltas divided by the count are the cost of one
 * idle connection. Every connection then echoes one message, so a server that accepted but
 * lost connections cannot look cheap.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type WebSocket from 'ws'
import type { MemoryUsage } from '../spawn.js'
import { closeSocket, mapBounded, openSocket } from './ws-client.js'

/** One memory run. */
export interface MemoryLoad {
  /** `ws://HOST:PORT/echo`. */
  url: string
  connections: number
  /** Handshakes in parallel while opening. */
  openConcurrency?: number
  /** Pause before each measurement, so the server finished its per-connection setup. */
  settleMs?: number
  /** How long each connection has to echo its check message. */
  echoTimeoutMs?: number
}

/** Per idle connection, in bytes. */
export interface MemoryResult {
  rssPerConn: number
  heapPerConn: number
  /** `external` (Buffers and other off-heap memory V8 knows of). */
  externalPerConn: number
  connections: number
  problems: string[]
}

const WARM_CONNECTIONS = 50

function checkEcho (ws: WebSocket, text: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { ws.off('message', onMessage); resolve(false) }, timeoutMs)
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      clearTimeout(timer)
      resolve(!isBinary && data.toString() === text)
    }
    ws.once('message', onMessage)
    ws.send(text)
  })
}

async function openAll (url: string, count: number, concurrency: number): Promise<{ sockets: WebSocket[], error: unknown }> {
  const { results, error } = await mapBounded(count, concurrency, () => openSocket(url))
  return { sockets: results.filter((ws): ws is WebSocket => ws !== undefined), error }
}

async function closeAll (sockets: WebSocket[]): Promise<void> {
  await mapBounded(sockets.length, 500, (i) => closeSocket(sockets[i] as WebSocket))
}

/** Opens `load.connections` idle WebSockets and returns the server's memory cost of each. */
export async function runMemory (load: MemoryLoad, measure: () => Promise<MemoryUsage>): Promise<MemoryResult> {
  const concurrency = load.openConcurrency ?? 100
  const settleMs = load.settleMs ?? 500
  const echoTimeoutMs = load.echoTimeoutMs ?? 10_000
  const problems: string[] = []
  const empty = { rssPerConn: NaN, heapPerConn: NaN, externalPerConn: NaN, connections: 0, problems }

  // Warm the server's upgrade and echo paths first, so lazy setup is not billed to the connections.
  const warm = await openAll(load.url, WARM_CONNECTIONS, concurrency)
  await Promise.all(warm.sockets.map((ws, i) => checkEcho(ws, `warm ${i}`, echoTimeoutMs)))
  await closeAll(warm.sockets)
  if (warm.error !== undefined) {
    problems.push(`connect: ${(warm.error as Error).message}`)
    return empty
  }
  await sleep(settleMs)
  const before = await measure()

  const { sockets, error } = await openAll(load.url, load.connections, concurrency)
  try {
    if (error !== undefined) {
      problems.push(`connect (after ${sockets.length} of ${load.connections}): ${(error as Error).message}`)
      return empty
    }
    await sleep(settleMs)
    const after = await measure()
    const echoed = await Promise.all(sockets.map((ws, i) => checkEcho(ws, `idle ${i}`, echoTimeoutMs)))
    const lost = echoed.filter((ok) => !ok).length
    if (lost > 0) problems.push(`${lost} of ${sockets.length} idle connections did not echo correctly`)
    const n = sockets.length
    return {
      rssPerConn: (after.rss - before.rss) / n,
      heapPerConn: (after.heapUsed - before.heapUsed) / n,
      externalPerConn: (after.external - before.external) / n,
      connections: n,
      problems
    }
  } finally {
    await closeAll(sockets)
  }
}
