/**
 * Go's `time.Ticker` and a `select` over tickers, for the examples' writer loops:
 * `switch (await select(fileTicker, pingTicker)) { case 0: ...; case 1: ... }` where Go writes
 * `select { case <-fileTicker.C: ...; case <-pingTicker.C: ... }`.
 */

/** Ticks every `d` ms; like Go's ticker channel it holds at most one tick nobody has taken yet. */
export class Ticker {
  private readonly timer: NodeJS.Timeout
  private pending = false
  private readonly wakers = new Set<() => void>()

  constructor (d: number) {
    this.timer = setInterval(() => {
      this.pending = true
      for (const wake of this.wakers) wake()
    }, d)
  }

  /** Take the waiting tick, if there is one. */
  take (): boolean {
    const ready = this.pending
    this.pending = false
    return ready
  }

  /** Stop the ticks (Go's `ticker.Stop()`); a tick already waiting stays. */
  stop (): void {
    clearInterval(this.timer)
  }

  /** @internal `select` waits through these. */
  onTick (wake: () => void): () => void {
    this.wakers.add(wake)
    return () => { this.wakers.delete(wake) }
  }
}

/**
 * Wait for the first of `tickers` to tick and take its tick; resolves with its index. Ticks of the others
 * stay for the next `select`.
 */
export async function select (...tickers: Ticker[]): Promise<number> {
  for (;;) {
    const i = tickers.findIndex((t) => t.take())
    if (i !== -1) return i
    const offs: Array<() => void> = []
    await new Promise<void>((resolve) => { for (const t of tickers) offs.push(t.onTick(resolve)) })
    for (const off of offs) off()
  }
}
