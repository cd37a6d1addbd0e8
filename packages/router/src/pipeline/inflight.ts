import type { Socket } from 'node:net'
import type { ServerResponse } from 'node:http'
import { kAbortSignal } from '../symbols.js'
import { shutdownSocket, type SocketShutdownRunner } from '../hijack/socket-shutdown.js'

/** A running chain whose `c.signal` was read: aborted when the server closes under it. */
export interface Watched {
  [kAbortSignal] (reason: unknown): void
}

/**
 * What an engine has in flight: requests whose chain runs, sockets of upgrade requests until they close, chains
 * whose signal is watched, and Node responses written outside the router. The pipeline counts them; the lifecycle
 * waits for them to finish, marks them or cuts them.
 */
export class Inflight {
  /** Requests whose chain is running (or whose body is being read). */
  requests = 0
  /** Sockets of upgrade requests, until they close. */
  readonly upgrades = new Set<Socket>()
  /** Running chains whose `c.signal` was read. */
  readonly watched = new Set<Watched>()
  /** Node responses being written by code outside the router (see `Engine.closeOnShutdown`). */
  readonly responses = new Set<ServerResponse>()
  /** Set once the engine's graceful shutdown has said goodbye to its upgrade sockets. */
  goodbye: SocketShutdownRunner | null = null
  #idleWaiters: Array<() => void> = []
  // One 'close' listener per engine (the socket is `this`), not a closure per upgraded socket.
  readonly #onUpgradeClose: (this: Socket) => void

  constructor () {
    const self = this
    this.#onUpgradeClose = function (this: Socket): void {
      self.upgrades.delete(this)
      if (self.#idleWaiters.length !== 0) self.#checkIdle()
    }
  }

  /** A request has been taken in. */
  begin (): void {
    this.requests++
  }

  /** A request's chain is over. */
  end (): void {
    if (--this.requests === 0 && this.#idleWaiters.length !== 0) this.#checkIdle()
  }

  /**
   * Takes the socket of an upgrade request in: counted until it closes. One that arrives after the shutdown said
   * goodbye to the others joins that goodbye at once (an upgrade whose head was still arriving).
   */
  addUpgrade (socket: Socket): void {
    this.upgrades.add(socket)
    socket.on('close', this.#onUpgradeClose)
    if (this.goodbye !== null) shutdownSocket(socket, this.goodbye)
  }

  /** Calls `fn` once no request and no upgrade socket is left. */
  whenIdle (fn: () => void): void {
    this.#idleWaiters.push(fn)
    this.#checkIdle()
  }

  #checkIdle (): void {
    if (this.requests !== 0 || this.upgrades.size !== 0) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const fn of waiters) fn()
  }

  /** Aborts the signal of every watched chain (the server is closing under them). */
  abortWatched (reason: unknown): void {
    for (const c of this.watched) c[kAbortSignal](reason)
    this.watched.clear()
  }

  /** Destroys every upgrade socket. */
  destroyUpgrades (): void {
    for (const s of this.upgrades) s.destroy()
    this.upgrades.clear()
  }

  /** A graceful shutdown began: the responses written outside the router whose head is not out say `Connection: close`. */
  closeResponses (): void {
    for (const r of this.responses) if (!r.headersSent) r.shouldKeepAlive = false
  }
}
