import { effectiveDeadline } from './data.js'
import { DeferredError, readTimeoutError, realError } from '../errors.js'

/** One received data message: its type (`TextMessage` or `BinaryMessage`) and payload. */
export type Message = [messageType: number, data: Buffer]

type Resolve = (message: Message) => void
type Reject = (err: unknown) => void

interface Waiter {
  resolve: Resolve
  reject: Reject
}

// `new Promise` runs its executor before it returns, so one executor for every read can park the resolving
// functions here for `read` to take: no closure, context and waiter object per read (a reading connection makes
// one Promise per message).
let parkedResolve: Resolve | null = null
let parkedReject: Reject | null = null

function park (resolve: Resolve, reject: Reject): void {
  parkedResolve = resolve
  parkedReject = reject
}

/** What the queue needs from its connection: flow control of the socket. */
export interface ReadQueueOwner {
  /** The queue is full: stop reading the socket. */
  pauseReading(): void
  /** The queue has room again. */
  resumeReading(): void
}

// Each queued message is charged this much on top of its payload, so a flood of empty messages is
// bounded as well as a few large ones.
const PER_MESSAGE_COST = 64
// An application that keeps reading a failed connection in a loop would starve the event loop with
// synchronously settled promises; past this many failed reads the rejections are spaced out.
const SPIN_GUARD = 1000

/**
 * Received messages waiting for `readMessage`, in arrival order, followed by the error that ends the
 * stream (a close frame, a protocol error, the socket's end). Bounded: past `maxBytes` the owner pauses
 * the socket, and resumes it once the application has read half of it.
 *
 * Deadlines only cost a timer while a read is actually waiting.
 */
export class ReadQueue {
  private readonly owner: ReadQueueOwner
  private readonly maxBytes: number
  /** Queued messages from `head` on; null while none were queued (an idle connection keeps no array). */
  private items: Message[] | null = null
  private head = 0
  private bytes = 0
  private paused = false
  /** The read waiting for the next message (its resolving functions), and the rare concurrent reads behind it. */
  private resolveFirst: Resolve | null = null
  private rejectFirst: Reject | null = null
  private moreWaiters: Waiter[] | null = null
  /** The error reported once the queued messages are read; a {@link DeferredError} until one is. */
  private endError: unknown = undefined
  /** Runs when a read first reaches {@link endError}. */
  private onReach: (() => unknown) | undefined = undefined
  /** The error reported at once, queued messages discarded (timeout, local close); may be deferred too. */
  private failError: unknown = undefined
  private failedReads = 0
  private deadline = 0
  private timeout = 0
  private timer: NodeJS.Timeout | undefined = undefined

  /**
   * @param owner - the connection, for flow control
   * @param maxBytes - queued bytes that pause the socket
   */
  constructor (owner: ReadQueueOwner, maxBytes: number) {
    this.owner = owner
    this.maxBytes = maxBytes
  }

  /** `true` once the stream has ended or failed; nothing more will be queued. */
  get ended (): boolean {
    return this.endError !== undefined || this.failError !== undefined
  }

  /** Adds a received message, or hands it straight to a waiting reader. */
  push (messageType: number, data: Buffer): void {
    if (this.ended) return
    const resolve = this.takeWaiter()
    if (resolve !== null) {
      if (this.resolveFirst === null) this.clearTimer()
      resolve([messageType, data])
      return
    }
    ;(this.items ??= []).push([messageType, data])
    this.bytes += data.length + PER_MESSAGE_COST
    // Asked again for every message over the bound: whoever resumed the socket meanwhile (the router
    // draining a hijacked socket it closes, say) must not make the queue grow without limit.
    if (this.bytes >= this.maxBytes) {
      this.paused = true
      this.owner.pauseReading()
    }
  }

  /**
   * Ends the stream: `err` is reported after every queued message. Later calls are ignored.
   *
   * `onReach` runs once, when a read reaches the end (at once if a read is waiting): gorilla handles a
   * close frame or a protocol error only when its reader gets there, so replies to the messages before it
   * can still be written. A value it returns replaces `err`. A {@link DeferredError} is built only when a
   * read reaches it.
   */
  end (err: unknown, onReach?: () => unknown): void {
    if (this.ended) return
    this.endError = err
    this.onReach = onReach
    if (this.resolveFirst !== null) this.rejectWaiters(this.reach())
  }

  /** Fails the stream now: queued messages are dropped and every read rejects with `err` (built then). */
  fail (err: unknown): void {
    if (this.failError !== undefined) return
    this.failError = err
    this.onReach = undefined
    this.items = null
    this.head = 0
    this.bytes = 0
    if (this.resolveFirst !== null) this.rejectWaiters(this.failure())
  }

  /** The next message; waits for one, honouring the read deadline and the per-read timeout. */
  read (): Promise<Message> {
    if (this.failError !== undefined) return this.failed(this.failure())
    if (this.items !== null) return Promise.resolve(this.shift(this.items))
    if (this.endError !== undefined) return this.failed(this.reach())
    const promise = new Promise<Message>(park)
    const resolve = parkedResolve as Resolve
    const reject = parkedReject as Reject
    parkedResolve = parkedReject = null
    if (this.resolveFirst === null) {
      this.resolveFirst = resolve
      this.rejectFirst = reject
      this.armTimer()
    } else {
      ;(this.moreWaiters ??= []).push({ resolve, reject })
    }
    return promise
  }

  /** Sets the absolute read deadline in ms since the epoch; `0` clears it. */
  setDeadline (deadline: number): void {
    this.deadline = deadline
    if (this.resolveFirst !== null) this.armTimer()
  }

  /** Sets the per-read timeout in ms (Hertz's `SetReadTimeout`); `0` clears it. */
  setTimeout (ms: number): void {
    this.timeout = ms > 0 ? ms : 0
    if (this.resolveFirst !== null) this.armTimer()
  }

  private shift (items: Message[]): Message {
    const message = items[this.head] as Message
    items[this.head++] = undefined as unknown as Message
    if (this.head === items.length) {
      this.items = null
      this.head = 0
    }
    this.bytes -= message[1].length + PER_MESSAGE_COST
    if (this.paused && this.bytes <= this.maxBytes / 2) {
      this.paused = false
      this.owner.resumeReading()
    }
    return message
  }

  private reach (): unknown {
    const onReach = this.onReach
    if (onReach !== undefined) {
      this.onReach = undefined
      const replaced = onReach()
      if (replaced !== undefined) this.endError = replaced
    }
    if (this.endError instanceof DeferredError) this.endError = realError(this.endError)
    return this.endError
  }

  private failure (): unknown {
    if (this.failError instanceof DeferredError) this.failError = realError(this.failError)
    return this.failError
  }

  private failed (err: unknown): Promise<Message> {
    if (++this.failedReads <= SPIN_GUARD) return Promise.reject(err)
    return new Promise((_, reject) => setImmediate(reject, err))
  }

  private rejectWaiters (err: unknown): void {
    this.clearTimer()
    const first = this.rejectFirst
    const more = this.moreWaiters
    this.resolveFirst = this.rejectFirst = null
    this.moreWaiters = null
    first?.(err)
    if (more !== null) for (const waiter of more) waiter.reject(err)
  }

  /** The first waiting read's resolve function, the next waiting read moved up. */
  private takeWaiter (): Resolve | null {
    const resolve = this.resolveFirst
    if (resolve !== null) {
      const next = this.moreWaiters?.shift()
      this.resolveFirst = next?.resolve ?? null
      this.rejectFirst = next?.reject ?? null
    }
    return resolve
  }

  private armTimer (): void {
    this.clearTimer()
    const at = effectiveDeadline(this.deadline, this.timeout)
    if (at === 0) return
    const delay = at - Date.now()
    if (delay <= 0) {
      this.expire()
      return
    }
    this.timer = setTimeout(() => this.expire(), delay)
  }

  private expire (): void {
    this.timer = undefined
    // gorilla: after a read timeout the connection's read side is corrupt; every later read fails too.
    this.fail(readTimeoutError())
  }

  private clearTimer (): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
  }
}
