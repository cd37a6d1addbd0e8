/** What every helper that cleans up after itself needs from a tap test, and small waiting primitives. */

/** The part of a tap test the helpers that only clean up need. */
export interface Teardown {
  teardown(fn: () => unknown): void
}

/** A deferred value: `promise` settles when `resolve` is called. */
export function deferred<T = void> (): { promise: Promise<T>, resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((_resolve) => { resolve = _resolve })
  return { promise, resolve }
}

/** Resolves once `cond()` holds, checking every 5 ms; rejects after `ms` (a bound, not a speed assertion). */
export async function waitFor (cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met within ' + ms + ' ms')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Resolves after `ms`. */
export function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}
