/** The `ws` client setup every WebSocket driver shares, so they all load the servers alike. */
import { once } from 'node:events'
import WebSocket from 'ws'

/** No compression (none of the servers enables it) and a bounded handshake. */
const CLIENT_OPTIONS = { perMessageDeflate: false, handshakeTimeout: 15_000 }

/** Opens a WebSocket and resolves once it is open; rejects with the handshake error. */
export function openSocket (url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, CLIENT_OPTIONS)
    const onError = (err: Error): void => {
      ws.off('open', onOpen)
      reject(err)
    }
    const onOpen = (): void => {
      ws.off('error', onError)
      resolve(ws)
    }
    ws.once('error', onError)
    ws.once('open', onOpen)
  })
}

/**
 * Runs `task(i)` for i in [0, count) with at most `concurrency` running at once, and stops
 * starting new tasks after the first error. `results[i]` is undefined where a task failed or
 * never started, so the caller can still release what did succeed.
 */
export async function mapBounded<T> (
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>
): Promise<{ results: Array<T | undefined>, error: unknown }> {
  const results = new Array<T | undefined>(count)
  let next = 0
  let error: unknown
  const worker = async (): Promise<void> => {
    while (next < count && error === undefined) {
      const i = next++
      try {
        results[i] = await task(i)
      } catch (err) {
        error ??= err
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return { results, error }
}

/**
 * Closes with 1000 and waits for the close handshake; terminates after `timeoutMs`.
 * Resolves with the close code the client saw (1006 when the server just dropped the socket).
 */
export async function closeSocket (ws: WebSocket, timeoutMs = 5000): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return 1006
  const closed = once(ws, 'close') as Promise<[number, Buffer]>
  ws.close(1000)
  const timer = setTimeout(() => ws.terminate(), timeoutMs)
  const [code] = await closed
  clearTimeout(timer)
  return code
}
