/**
 * Go's buffered channel, as far as the chat uses it: `select { case ch <- v: default: }` (`trySend`),
 * `close(ch)`, `len(ch)`, `v, ok := <-ch` once something is there (`tryReceive`), and a `select` over the
 * channel and a ticker.
 */
import type { Ticker } from '@hertz-node/example-support/time'

/** A channel of capacity `cap`; sends never wait (the chat only sends with a `default` case). */
export class Chan<T> {
  readonly cap: number
  private readonly items: T[] = []
  private closed = false
  private wake: (() => void) | null = null

  constructor (cap: number) {
    this.cap = cap
  }

  /** `len(ch)`. */
  get length (): number {
    return this.items.length
  }

  /** `select { case ch <- v: return true; default: return false }`. */
  trySend (v: T): boolean {
    if (this.closed) throw new Error('send on closed channel')
    if (this.items.length >= this.cap) return false
    this.items.push(v)
    this.notify()
    return true
  }

  /** `close(ch)`: receivers get what is buffered, then `ok === false`. */
  close (): void {
    if (this.closed) throw new Error('close of closed channel')
    this.closed = true
    this.notify()
  }

  /** `v, ok := <-ch` when it would not block; `null` when it would. */
  tryReceive (): [v: T | undefined, ok: boolean] | null {
    if (this.items.length > 0) return [this.items.shift(), true]
    return this.closed ? [undefined, false] : null
  }

  /** @internal Resolves `wake` once a receive would not block (one waiter: the channel's one reader). */
  onReady (wake: () => void): void {
    this.wake = wake
    if (this.items.length > 0 || this.closed) this.notify()
  }

  private notify (): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }
}

/**
 * `select { case v, ok := <-ch: ...; case <-ticker.C: ... }`: resolves with the receive, or `null` when the
 * ticker ticked first (its tick taken). A value that is already there wins, as Go picks among ready cases.
 */
export async function selectRecv<T> (ch: Chan<T>, ticker: Ticker): Promise<[v: T | undefined, ok: boolean] | null> {
  for (;;) {
    const received = ch.tryReceive()
    if (received !== null) return received
    if (ticker.take()) return null
    let off = (): void => {}
    await new Promise<void>((resolve) => {
      ch.onReady(resolve)
      off = ticker.onTick(resolve)
    })
    off()
  }
}
