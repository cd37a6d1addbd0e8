/**
 * Resource baseline checks: counts of active handles by type (`process.getActiveResourcesInfo()`) and
 * listener counts on the emitters that tend to leak them, taken before a scenario and compared after it.
 */
import type { EventEmitter } from 'node:events'

/** Counts of one moment. */
export interface ResourceSnapshot {
  /** Active resources by type: TCPSocketWrap, TCPServerWrap, Timeout, ... */
  resources: Record<string, number>
  /** Listener counts per watched emitter (by label) and event name. */
  listeners: Record<string, Record<string, number>>
}

/** Resource types that must come back to their baseline; the others (FSReqCallback, ...) are transient. */
export const WATCHED_RESOURCES = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'PipeWrap', 'ProcessWrap'] as const

function countResources (): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1
  return out
}

function countListeners (e: EventEmitter): Record<string, number> {
  const out: Record<string, number> = {}
  for (const name of e.eventNames()) out[String(name)] = e.listenerCount(name)
  return out
}

/** Takes a snapshot; `emitters` maps a label to an emitter whose listeners must not grow (process is always watched). */
export function snapshot (emitters: Record<string, EventEmitter> = {}): ResourceSnapshot {
  const listeners: Record<string, Record<string, number>> = { process: countListeners(process) }
  for (const [label, e] of Object.entries(emitters)) listeners[label] = countListeners(e)
  return { resources: countResources(), listeners }
}

/** Lines describing where `now` exceeds `base` (empty when it does not). */
export function excess (base: ResourceSnapshot, now: ResourceSnapshot): string[] {
  const out: string[] = []
  for (const type of WATCHED_RESOURCES) {
    const b = base.resources[type] ?? 0
    const n = now.resources[type] ?? 0
    if (n > b) out.push(`${type}: ${b} -> ${n}`)
  }
  for (const [label, events] of Object.entries(now.listeners)) {
    for (const [event, n] of Object.entries(events)) {
      const b = base.listeners[label]?.[event] ?? 0
      if (n > b) out.push(`${label} '${event}' listeners: ${b} -> ${n}`)
    }
  }
  return out
}

/**
 * Waits (polling, up to `timeoutMs`) until the counts are back at or under `base`.
 * @returns the remaining excess: empty means back to baseline.
 */
export async function settleToBaseline (base: ResourceSnapshot, emitters: Record<string, EventEmitter> = {}, timeoutMs = 5000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const diff = excess(base, snapshot(emitters))
    if (diff.length === 0 || Date.now() >= deadline) return diff
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

/** Minimal slice of a tap Test that the checker needs. */
interface Asserter {
  same: (found: any, wanted: any, ...rest: any[]) => boolean
}

/** Asserts (through tap) that resources and listeners settle back to `base` within `timeoutMs`. */
export async function expectBaseline (t: Asserter, base: ResourceSnapshot, label: string, emitters: Record<string, EventEmitter> = {}, timeoutMs = 5000): Promise<void> {
  const diff = await settleToBaseline(base, emitters, timeoutMs)
  t.same(diff, [], `${label}: handles, sockets and listeners back to baseline`)
}

/** Collects uncaught exceptions and unhandled rejections during a scenario (they must stay at zero). */
export class CrashWatch {
  readonly errors: string[] = []
  private readonly onError = (err: unknown): void => { this.errors.push(`uncaught: ${describe(err)}`) }
  private readonly onRejection = (err: unknown): void => { this.errors.push(`unhandled rejection: ${describe(err)}`) }

  /** Starts listening. */
  start (): this {
    process.on('uncaughtException', this.onError)
    process.on('unhandledRejection', this.onRejection)
    return this
  }

  /** Stops listening and returns what was seen. */
  stop (): string[] {
    process.off('uncaughtException', this.onError)
    process.off('unhandledRejection', this.onRejection)
    return this.errors
  }
}

function describe (err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err)
}
