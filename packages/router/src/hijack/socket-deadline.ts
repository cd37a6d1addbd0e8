import type { Duplex } from 'node:stream'
import { performance } from 'node:perf_hooks'

let head: SocketDeadline | null = null
let tail: SocketDeadline | null = null
let timer: NodeJS.Timeout | null = null
/** When the timer fires (`performance.now()` time). */
let timerDue = 0

/**
 * A deadline for a closing socket (a lingering close, see `lingeringClose`; libraries that close taken
 * sockets the same way use it too): a socket still open at its deadline is destroyed.
 *
 * One timer serves every deadline, rather than a `setTimeout` each: node keeps one timer list per duration and
 * drops it when it empties, so at a normal rate of connections - each one closed before the next - every close
 * made a list and dropped it again (a priority-queue insert and removal, and a native re-arm of libuv's timer):
 * some 2 % of the server's CPU for a whole WebSocket connection at 200 handshakes/s. The shared timer is left to
 * run out when the last socket closes in time, so the next close finds it armed; it holds the process open only
 * while a deadline waits, as a timer per socket did. The deadlines waiting form a doubly linked list: starting
 * and cancelling one touches no hash table and allocates nothing.
 */
export class SocketDeadline {
  /** The socket destroyed at the deadline. */
  readonly socket: Duplex
  #prev: SocketDeadline | null = null
  #next: SocketDeadline | null = null
  #due = 0
  #waiting = false

  /** @param socket - the socket destroyed at the deadline */
  constructor (socket: Duplex) {
    this.socket = socket
  }

  /**
   * Destroys the socket in `ms` unless {@link SocketDeadline.cancel} comes first. Starting again moves the
   * deadline.
   *
   * @param ms - the longest wait
   */
  start (ms: number): void {
    if (this.#waiting) SocketDeadline.#unlink(this)
    this.#due = performance.now() + ms
    this.#waiting = true
    this.#prev = tail
    if (tail === null) head = this
    else tail.#next = this
    tail = this
    if (timer === null || this.#due < timerDue) SocketDeadline.#arm(this.#due)
    else timer.ref()
  }

  /** The socket closed in time (or is no longer this deadline's concern). Idempotent. */
  cancel (): void {
    if (!this.#waiting) return
    SocketDeadline.#unlink(this)
    if (head === null) timer?.unref()
  }

  static #unlink (d: SocketDeadline): void {
    if (d.#prev === null) head = d.#next
    else d.#prev.#next = d.#next
    if (d.#next === null) tail = d.#prev
    else d.#next.#prev = d.#prev
    d.#prev = null
    d.#next = null
    d.#waiting = false
  }

  static #arm (due: number): void {
    if (timer !== null) clearTimeout(timer)
    timerDue = due
    timer = setTimeout(SocketDeadline.#onTimer, Math.max(1, Math.ceil(due - performance.now())))
  }

  static #onTimer (): void {
    timer = null
    const now = performance.now()
    let next = Infinity
    for (let d = head; d !== null;) {
      const following = d.#next
      if (d.#due <= now) {
        SocketDeadline.#unlink(d)
        d.socket.destroy()
      } else if (d.#due < next) {
        next = d.#due
      }
      d = following
    }
    if (next !== Infinity) SocketDeadline.#arm(next)
  }
}
