/**
 * Memory figures for tests and measurement scripts: what the process holds after full collections.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let gc: (() => void) | undefined

/**
 * Collects garbage until the figure stops falling (V8 frees array buffers on a background thread after a
 * collection, so one collection is not enough) and returns it.
 *
 * @param figure - what to read off `process.memoryUsage()`; by default heap plus array buffers
 */
export async function settledMemory (
  figure: (m: NodeJS.MemoryUsage) => number = (m) => m.heapUsed + m.arrayBuffers
): Promise<number> {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc')
    gc = runInNewContext('gc') as () => void
  }
  let last = Number.POSITIVE_INFINITY
  for (let i = 0; i < 20; i++) {
    gc()
    await sleep(20)
    const now = figure(process.memoryUsage())
    if (now >= last) return now
    last = now
  }
  return last
}
