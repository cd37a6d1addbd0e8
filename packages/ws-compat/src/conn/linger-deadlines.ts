import type { Duplex } from 'node:stream'
import { performance } from 'node:perf_hooks'

/**
 * The deadlines of lingering sockets (see `SocketLink.linger`): a socket still open at its deadline is
 * destroyed. One timer serves every socket, rather than a `setTimeout` each: node keeps one timer list per
 * duration and drops it when it empties, so at a normal rate of connections - each one closed before the next
 * - every close made a list and dropped it again (a priority-queue insert and removal, and a native re-arm
 * of libuv's timer): some 2 % of the server's CPU for a whole connection at 200 handshakes/s. The shared timer
 * is left to run out when the last socket closes in time, so the next close finds it armed. It holds the
 * process open only while a socket lingers, as a timer per socket did.
 *
 * The sockets waiting form a doubly linked list of {@link Deadline}s: adding and removing one touches no
 * hash table and allocates nothing but the entry.
 */
export class Deadline {
  /** @internal */ prev: Deadline | null = null
  /** @internal */ next: Deadline | null = null
  /** @internal */ due = 0
  /** @internal */ waiting = false

  /** @param socket - the socket destroyed at the deadline */
  constructor (readonly socket: Duplex) {}

  /**
   * Destroys the socket in `ms` unless {@link Deadline.cancel} comes first.
   *
   * @param ms - the longest wait
   */
  start (ms: number): void {
    if (this.waiting) unlink(this)
    this.due = performance.now() + ms
    this.waiting = true
    this.prev = tail
    if (tail === null) head = this
    else tail.next = this
    tail = this
    if (timer === null || this.due < timerDue) arm(this.due)
    else timer.ref()
  }

  /** The socket closed in time (or is no longer this entry's concern). Idempotent. */
  cancel (): void {
    if (!this.waiting) return
    unlink(this)
    if (head === null) timer?.unref()
  }
}

let head: Deadline | null = null
let tail: Deadline | null = null
let timer: NodeJS.Timeout | null = null
/** When the timer fires. */
let timerDue = 0

function unlink (d: Deadline): void {
  if (d.prev === null) head = d.next
  else d.prev.next = d.next
  if (d.next === null) tail = d.prev
  else d.next.prev = d.prev
  d.prev = null
  d.next = null
  d.waiting = false
}

function arm (due: number): void {
  if (timer !== null) clearTimeout(timer)
  timerDue = due
  timer = setTimeout(onTimer, Math.max(1, Math.ceil(due - performance.now())))
}

function onTimer (): void {
  timer = null
  const now = performance.now()
  let next = Infinity
  for (let d = head; d !== null;) {
    const following = d.next
    if (d.due <= now) {
      unlink(d)
      d.socket.destroy()
    } else if (d.due < next) {
      next = d.due
    }
    d = following
  }
  if (next !== Infinity) arm(next)
}
