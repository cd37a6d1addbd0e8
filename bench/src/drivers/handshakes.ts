/**
 * Handshake driver: `concurrency` clients in a closed loop, each cycle a complete WebSocket
 * life - connect and upgrade, one checked echo, close handshake. Reports completed cycles per
 * second and the percentiles of the upgrade time (connect to 'open'). Stops by time and count.
 */
import { performance } from 'node:perf_hooks'
import type WebSocket from 'ws'
import { LatencyRecorder } from '../stats.js'
import { closeSocket, openSocket } from './ws-client.js'

/** One handshake run. */
export interface HandshakeLoad {
  /** `ws://HOST:PORT/echo`. */
  url: string
  concurrency: number
  durationSec: number
  /** Upper bound of handshakes in the whole run. */
  maxHandshakes: number
}

/** What one run measured and what went wrong in it. */
export interface HandshakeResult {
  perSec: number
  p50Ms: number
  p99Ms: number
  completed: number
  problems: string[]
}

/** Sends one text message and checks it comes back unchanged, as text. */
export function echoOnce (ws: WebSocket, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      cleanup()
      if (isBinary || data.toString() !== text) reject(new Error(`echo mismatch: sent ${JSON.stringify(text)}, got ${isBinary ? 'binary' : JSON.stringify(data.toString())}`))
      else resolve()
    }
    const onClose = (code: number): void => {
      cleanup()
      reject(new Error(`closed by the server (${code}) before the echo`))
    }
    const cleanup = (): void => {
      ws.off('message', onMessage)
      ws.off('close', onClose)
    }
    ws.on('message', onMessage)
    ws.on('close', onClose)
    ws.send(text)
  })
}

/** Runs the handshake loop against `load.url`. */
export async function runHandshakes (load: HandshakeLoad): Promise<HandshakeResult> {
  const latencies = new LatencyRecorder(load.maxHandshakes)
  const problems: string[] = []
  let started = 0
  let completed = 0
  let running = true
  const stopTimer = setTimeout(() => { running = false }, load.durationSec * 1000)

  const client = async (id: number): Promise<void> => {
    while (running && problems.length === 0 && started < load.maxHandshakes) {
      const n = started++
      const t = performance.now()
      let ws: WebSocket
      try {
        ws = await openSocket(load.url)
      } catch (err) {
        problems.push(`handshake ${n} (client ${id}): ${(err as Error).message}`)
        return
      }
      latencies.record(performance.now() - t)
      try {
        await echoOnce(ws, `hello ${n}`)
      } catch (err) {
        problems.push(`handshake ${n} (client ${id}): ${(err as Error).message}`)
        ws.terminate()
        return
      }
      const code = await closeSocket(ws)
      if (code !== 1000 && code !== 1005) {
        problems.push(`handshake ${n} (client ${id}): close handshake ended with ${code}`)
        return
      }
      completed++
    }
  }

  const t0 = performance.now()
  await Promise.all(Array.from({ length: load.concurrency }, (_, id) => client(id)))
  const elapsedMs = performance.now() - t0
  clearTimeout(stopTimer)
  const [p50, p99] = latencies.percentiles(50, 99)
  return { perSec: completed / (elapsedMs / 1000), p50Ms: p50 as number, p99Ms: p99 as number, completed, problems }
}
