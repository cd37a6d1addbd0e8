import cluster, { type Address, type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import type { Logger } from '../errors.js'
import type { Options } from './options.js'
import { ShutdownTrigger, signalExitCode } from './signals.js'

// spin() on every core: the primary forks the workers and looks after them (restarts with backoff, stops on a crash
// loop, forwards the shutdown); each worker runs the whole app and serves the shared address (node:cluster hands it
// the connections). Upgrades need nothing special: a connection, upgraded or not, lives in the worker that got it.

/** The message a primary sends its workers to begin their graceful shutdown. */
const SHUTDOWN = 'hertz:shutdown'

/** A worker that ran this long (ms) started well: its death is a fault of its own, not part of a crash loop. */
export const STABLE_AFTER = 10_000
/** Worker deaths in a row, each within {@link STABLE_AFTER} of its start, that make a crash loop. */
export const CRASH_LOOP = 5
/** The first restart delay (ms); it doubles with each death of the streak, up to {@link MAX_BACKOFF}. */
export const FIRST_BACKOFF = 100
/** The longest restart delay (ms). */
export const MAX_BACKOFF = 5_000
/** How long (ms) past the exit wait time the primary waits for its workers before killing them. */
const EXIT_GRACE = 5_000

/** The number of workers `withWorkers(n)` asks for: `n`, or one per core for 0. */
export function workerCount (n: number): number {
  return n === 0 ? availableParallelism() : n
}

/** True when this process is a worker forked by node:cluster. */
export function isWorker (): boolean {
  return cluster.isWorker
}

/** True when `spin()` should fork `n` workers rather than serve: more than one asked for, and not a worker itself. */
export function shouldFork (n: number): boolean {
  return n > 1 && cluster.isPrimary
}

/** A worker's shutdown trigger: its own signals, as in a single process, and the primary's request. */
export function workerShutdownTrigger (logger: Logger): ShutdownTrigger {
  const trigger = new ShutdownTrigger(logger)
  process.on('message', (m: unknown) => { if (m === SHUTDOWN) trigger.begin('Received shutdown from the primary') })
  return trigger
}

/** What the primary needs of the server it forks for. */
export interface PrimaryHost {
  readonly options: Options
  logger: Logger
}

interface Child {
  readonly started: number
  listening: boolean
}

/**
 * The primary's work: forks `n` workers of this script, restarts those that die, and on SIGINT / SIGTERM / SIGHUP
 * asks every worker to shut down gracefully, then exits 0 once the last one has exited. A second signal is
 * ignored; a third kills the workers and exits at once with that signal's code. A crash loop asks the remaining
 * workers to shut down and exits 1. The process always exits from here.
 */
export function superviseWorkers (host: PrimaryHost, n: number): void {
  const s = new Supervisor(host, n)
  s.start()
}

class Supervisor {
  readonly #host: PrimaryHost
  readonly #n: number
  readonly #children = new Map<Worker, Child>()
  readonly #restarts = new Set<NodeJS.Timeout>()
  #streak = 0
  #stopping = false
  #exitCode = 0
  #announced = false

  constructor (host: PrimaryHost, n: number) {
    this.#host = host
    this.#n = n
  }

  start (): void {
    const logger = this.#host.logger
    const trigger = new ShutdownTrigger(logger, sig => {
      for (const w of this.#children.keys()) w.process.kill('SIGKILL')
      process.exit(signalExitCode(sig))
    })
    void trigger.begun.then(why => {
      logger.info(why)
      this.#stop()
    })
    cluster.on('listening', (w, address) => { this.#listening(w, address) })
    cluster.on('exit', (w, code, signal) => { this.#exited(w, code, signal) })
    logger.info(`Primary pid=${process.pid} starting ${this.#n} workers`)
    for (let i = 0; i < this.#n; i++) this.#fork()
  }

  #fork (): void {
    this.#children.set(cluster.fork(), { started: Date.now(), listening: false })
  }

  #listening (w: Worker, address: Address): void {
    const child = this.#children.get(w)
    if (child === undefined) return
    child.listening = true
    if (this.#announced) {
      this.#host.logger.info(`worker pid=${String(w.process.pid)} listening`)
      return
    }
    if ([...this.#children.values()].some(c => !c.listening)) return
    this.#announced = true
    const host = address.address === null || address.address === undefined ? '' : address.address
    const shown = address.addressType === 6 ? `[${host}]` : host
    this.#host.logger.info(`Primary pid=${process.pid}: ${this.#n} workers listening on address=${shown}:${address.port}`)
  }

  #exited (w: Worker, code: number | null, signal: string | null): void {
    const child = this.#children.get(w)
    if (child === undefined) return
    this.#children.delete(w)
    const logger = this.#host.logger
    const how = signal !== null ? `signal ${signal}` : `code ${String(code)}`
    if (this.#stopping) {
      logger.info(`worker pid=${String(w.process.pid)} exited (${how})`)
      if (this.#children.size === 0) this.#finish()
      return
    }
    const uptime = Date.now() - child.started
    this.#streak = uptime >= STABLE_AFTER ? 0 : this.#streak + 1
    if (this.#streak >= CRASH_LOOP) {
      logger.error(`workers are crashing in a loop: ${this.#streak} in a row exited within ${STABLE_AFTER} ms of their ` +
        `start (last: pid=${String(w.process.pid)}, ${how}); stopping`)
      this.#exitCode = 1
      this.#stop()
      return
    }
    const delay = Math.min(FIRST_BACKOFF * 2 ** Math.max(0, this.#streak - 1), MAX_BACKOFF)
    logger.warn(`worker pid=${String(w.process.pid)} exited (${how}) after ${uptime} ms; starting another in ${delay} ms`)
    const timer = setTimeout(() => {
      this.#restarts.delete(timer)
      this.#fork()
    }, delay)
    this.#restarts.add(timer)
  }

  /** Asks every worker to shut down; the process exits once they all have (or are killed at the deadline). */
  #stop (): void {
    if (this.#stopping) return
    this.#stopping = true
    for (const t of this.#restarts) clearTimeout(t)
    this.#restarts.clear()
    if (this.#children.size === 0) {
      this.#finish()
      return
    }
    for (const [w, child] of this.#children) {
      // A worker still starting may not listen for the message yet; its signal handlers (or the default action, when
      // it has none yet) stop it as well.
      if (child.listening && w.isConnected()) w.send(SHUTDOWN, undefined, err => { if (err !== null) w.process.kill('SIGTERM') })
      else w.process.kill('SIGTERM')
    }
    const deadline = this.#host.options.exitWaitTime + EXIT_GRACE
    setTimeout(() => {
      this.#host.logger.error(`workers still running ${deadline} ms into the shutdown, killing them`)
      for (const w of this.#children.keys()) w.process.kill('SIGKILL')
      process.exit(1)
    }, deadline).unref()
  }

  #finish (): void {
    this.#host.logger.info(this.#exitCode === 0 ? 'All workers exited' : 'All workers exited after a crash loop')
    process.exit(this.#exitCode)
  }
}
