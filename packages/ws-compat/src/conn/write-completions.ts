import type { FrameCallback } from './frame-writer.js'

/** What the completions report to the write side of the connection. */
export interface CompletionOwner {
  /** A frame failed on the socket: returns the (sticky) error the waiting writes reject with. */
  frameFailed(err: Error): Error
  /** A write outlived its deadline: returns the (sticky) error it rejects with. */
  timedOut(): Error
  /** The close frame is on the socket. */
  closeFrameWritten(): void
}

interface Waiter {
  seq: number
  resolve: () => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout | undefined
}

/**
 * Tells the writes of one connection when their frames are on the socket. Frames are numbered as they are
 * handed to the frame writer, and the socket reports them done in that same order, so one callback shared
 * by every frame and a counter are enough: no closure, Promise or timer per write. Only a caller that must
 * actually wait (the socket had not taken the bytes yet) gets a Promise and, with a deadline, a timer.
 */
export class WriteCompletions {
  private readonly owner: CompletionOwner
  private issued = 0
  private done = 0
  private closeSeq = 0
  private waiters: Waiter[] | null = null
  private cb: FrameCallback | null = null

  /** @param owner - the connection's write side */
  constructor (owner: CompletionOwner) {
    this.owner = owner
  }

  /** The callback every frame of the connection is sent with (made on first use: an idle conn has none). */
  callback (): FrameCallback {
    return (this.cb ??= (err) => { this.frameDone(err) })
  }

  /**
   * Numbers the next frame handed to the frame writer.
   *
   * @param isClose - it is the close frame: the owner is told once it is on the socket
   */
  issue (isClose: boolean): number {
    const seq = ++this.issued
    if (isClose) this.closeSeq = seq
    return seq
  }

  /**
   * A Promise of frame `seq` being on the socket; rejected past `deadline` (ms since the epoch, `0` for
   * none) or when a frame fails.
   *
   * @param seq - what {@link issue} returned
   * @param deadline - when to give up
   */
  wait (seq: number, deadline: number): Promise<void> {
    if (this.done >= seq) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { seq, resolve, reject, timer: undefined }
      if (deadline !== 0) {
        // gorilla: after a write timed out the stream may hold half a frame; every later write fails.
        waiter.timer = setTimeout(() => {
          this.remove(waiter)
          reject(this.owner.timedOut())
        }, deadline - Date.now())
      }
      ;(this.waiters ??= []).push(waiter)
    })
  }

  /** Frames handed to the frame writer and not yet done. */
  pending (): number {
    return this.issued - this.done
  }

  /** Resolves once every frame issued so far is done: on the socket, or failed. Never rejects. */
  allDone (): Promise<void> {
    if (this.done >= this.issued) return Promise.resolve()
    return this.wait(this.issued, 0).then(noop, noop)
  }

  private frameDone (err: Error | null | undefined): void {
    const seq = ++this.done
    if (err != null) {
      // Once a frame failed every write fails (gorilla's sticky write error), so nobody waits any longer.
      const failure = this.owner.frameFailed(err)
      const waiters = this.waiters
      this.waiters = null
      if (waiters !== null) for (const w of waiters) settle(w, failure)
      return
    }
    if (seq === this.closeSeq) this.owner.closeFrameWritten()
    const waiters = this.waiters
    if (waiters === null || waiters.length === 0) return
    // Usually the first one (writes wait in the order they were issued); a scan keeps it right regardless.
    let kept = 0
    for (const w of waiters) {
      if (w.seq <= seq) settle(w, null)
      else waiters[kept++] = w
    }
    waiters.length = kept
  }

  private remove (waiter: Waiter): void {
    const i = this.waiters?.indexOf(waiter) ?? -1
    if (i >= 0) this.waiters?.splice(i, 1)
  }
}

function noop (): void {}

function settle (w: Waiter, err: Error | null): void {
  if (w.timer !== undefined) clearTimeout(w.timer)
  if (err === null) w.resolve()
  else w.reject(err)
}
