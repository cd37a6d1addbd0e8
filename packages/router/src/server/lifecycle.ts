import type { Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { HertzError, HertzErrorCode, formatError, type Logger } from '../errors.js'
import type { Inflight } from '../pipeline/inflight.js'
import type { EngineRef } from './engine-ref.js'
import type { Options } from './options.js'
import { background, contextWithSignal, type CtxCallback, type CtxErrCallback } from '../go-context.js'
import { loadPlugins, type PluginHost } from '../routing/plugin.js'
import { shutdownSocket, type SocketShutdownHandler, type SocketShutdownRunner } from '../hijack/socket-shutdown.js'
import { kInflight } from '../symbols.js'
import { createNodeServer, listen, type ServerCallbacks } from './node-server.js'
import { drainConnections, stopDraining } from './drain.js'

// The life of an engine: start (plugins, onRun hooks, listening or being mounted), graceful shutdown within the
// exit wait time, and forced close. The Engine methods of the same names are the documented entry points.

const DONE: Promise<void> = Promise.resolve()

/** Where an engine is in its life. */
const enum Status { Init, Starting, Running, Shutdown, Closed }

/** What the lifecycle needs of its engine, besides what its plugins need (the Engine is one). */
export interface LifecycleHost extends PluginHost {
  readonly options: Options
  logger: Logger
  readonly [kInflight]: Inflight
  readonly onRun: readonly CtxErrCallback[]
  readonly onShutdown: readonly CtxCallback[]
}

function closeServer (server: Server): Promise<void> {
  return new Promise<void>(resolve => { server.close(() => { resolve() }) })
}

/** The life of one engine: its status, the start in progress, and the node:http server it listens with or runs in. */
export class Lifecycle {
  readonly #engine: LifecycleHost & EngineRef
  readonly #callbacks: ServerCallbacks
  #status = Status.Init
  /** The start in progress (`run()` / `mount()`), for `ready()`. */
  #starting: Promise<void> | null = null
  /** The server `run()` listens with. */
  #server: Server | null = null
  /** The server given to `mount()`. */
  #host: Server | null = null

  /**
   * @param engine - the engine whose life this is
   * @param callbacks - what the node:http server `run()` makes calls on the engine
   */
  constructor (engine: LifecycleHost & EngineRef, callbacks: ServerCallbacks) {
    this.#engine = engine
    this.#callbacks = callbacks
  }

  /** The server `run()` listens with, null before. */
  get server (): Server | null {
    return this.#server
  }

  /** True between `run()`/`mount()` and the start of `shutdown()`/`unmount()`/`close()`. */
  isRunning (): boolean {
    return this.#status === Status.Running
  }

  /** True once shutting down or closed. */
  isClosing (): boolean {
    return this.#status >= Status.Shutdown
  }

  /**
   * Loads the plugins, runs the onRun hooks, then `open`; the engine runs once it resolves, or is back at Init. The
   * start is kept while it is in progress, for `ready()`.
   */
  #start (open: () => Promise<void>): Promise<void> {
    if (this.#status !== Status.Init) {
      return Promise.reject(new HertzError(HertzErrorCode.ALREADY_RUNNING, 'engine is already running (or has run)'))
    }
    this.#status = Status.Starting
    // One promise for the caller and every ready() waiter: a failed start is a rejection handled by its caller.
    const p = this.#startNow(open).finally(() => { this.#starting = null })
    this.#starting = p
    return p
  }

  async #startNow (open: () => Promise<void>): Promise<void> {
    const engine = this.#engine
    try {
      await loadPlugins(engine)
      const ctx = background()
      for (const hook of engine.onRun) await hook(ctx)
      await open()
    } catch (err) {
      this.#server = null
      this.#status = Status.Init
      throw err
    }
    this.#status = Status.Running
  }

  /** `h.ready()`: the start in progress, or at once when the engine runs (or has run). */
  ready (): Promise<void> {
    if (this.#starting !== null) return this.#starting
    if (this.#status === Status.Init) {
      return Promise.reject(new HertzError(HertzErrorCode.NOT_RUNNING, 'engine is not starting: ready() waits for run() or mount()'))
    }
    return DONE
  }

  /**
   * Starts the engine without listening unless it is started already: joins the start in progress (`run()`,
   * `mount()`), and starts it itself should that one fail. Resolves once the engine runs (or has run); rejects with
   * the error of a start it made itself. For servers that start the engine on their first request (toNodeHandler).
   */
  async startOrJoin (): Promise<void> {
    for (;;) {
      const starting = this.#starting
      if (starting === null) {
        if (this.#status === Status.Init) await this.mount(null)
        return
      }
      try {
        await starting
        return
      } catch {
        // That start failed and the engine is back at its beginning: the next round starts it here.
      }
    }
  }

  /** `h.run()`: starts and listens with a node:http server that calls the engine. */
  run (): Promise<void> {
    return this.#start(() => {
      const o = this.#engine.options
      const server = createNodeServer(o, this.#callbacks)
      this.#server = server
      return listen(server, o)
    })
  }

  /** `h.mount(host)`: starts without listening. */
  mount (host: Server | null): Promise<void> {
    return this.#start(() => {
      this.#host = host
      return DONE
    })
  }

  /** `h.address()`. */
  address (): AddressInfo {
    const a = this.#server?.address()
    if (a === undefined || a === null) throw new HertzError(HertzErrorCode.NOT_RUNNING, 'engine is not running')
    return typeof a === 'string' ? { address: a, family: 'unix', port: 0 } : a
  }

  /** `h.shutdown()`: stop accepting, drain the connections, run the hooks; force-close at the exit wait time. */
  async shutdown (): Promise<void> {
    const server = this.#server
    if (this.#status !== Status.Running || server === null) {
      throw new HertzError(HertzErrorCode.NOT_RUNNING, 'engine is not running')
    }
    this.#status = Status.Shutdown
    const closed = closeServer(server)
    drainConnections(server)
    await this.#drain(closed)
  }

  /** `h.unmount()`: the graceful shutdown of a mounted engine, draining the host's connections if it has one. */
  async unmount (): Promise<void> {
    if (this.#status !== Status.Running || this.#server !== null) {
      throw new HertzError(HertzErrorCode.NOT_RUNNING, 'engine is not mounted')
    }
    this.#status = Status.Shutdown
    const host = this.#host
    if (host !== null) drainConnections(host)
    const inflight = this.#engine[kInflight]
    await this.#drain(new Promise<void>(resolve => { inflight.whenIdle(resolve) }))
    // Connections the host accepted meanwhile must not hold its own close up either.
    if (host !== null) stopDraining(host)
  }

  /** Runs the onShutdown hooks until they and `finished` settle or the exit wait time is over, then force-closes. */
  async #drain (finished: Promise<void>): Promise<void> {
    const engine = this.#engine
    const inflight = engine[kInflight]
    const wait = engine.options.exitWaitTime
    const logger = engine.logger
    logger.info(`Begin graceful shutdown, wait at most ${wait} ms ...`)
    // Node responses written outside the router (wrapped Node handlers) close their connection after them, as the
    // router's own answers do from now on.
    inflight.closeResponses()
    const ac = new AbortController()
    const timer = setTimeout(() => { ac.abort(new HertzError(HertzErrorCode.SERVER_CLOSED, 'exit wait time is over')) }, wait)
    const ctx = contextWithSignal(ac.signal)
    const hooks = Promise.all(engine.onShutdown.map(hook => Promise.resolve().then(() => hook(ctx)).then(undefined,
      (err: unknown) => { logger.error(`onShutdown hook error: ${formatError(err)}`) })))
    // Taken-over connections say goodbye in their own protocol (onSocketShutdown) once the hooks have started, so
    // an application's own goodbye goes first. Waiting for those sockets to close is part of `finished`; what is
    // still open at the exit wait time is destroyed by forceClose(). A socket taken in after this loop ran (an
    // upgrade whose head was still arriving) joins through `inflight.goodbye`.
    const goodbye: SocketShutdownRunner = (socket, handler) => { sayGoodbye(engine, socket, handler) }
    void Promise.resolve().then(() => {
      inflight.goodbye = goodbye
      for (const s of inflight.upgrades) shutdownSocket(s, goodbye)
    })
    const timedOut = new Promise<void>(resolve => { ac.signal.addEventListener('abort', () => { resolve() }) })
    await Promise.race([Promise.all([hooks, finished]), timedOut])
    clearTimeout(timer)
    logger.info(ac.signal.aborted ? 'Graceful shutdown timed out, closing what is left' : 'Graceful shutdown finished')
    this.#forceClose()
    this.#status = Status.Closed
  }

  /** `h.close()`: closes the server and every connection (upgraded ones included) at once. */
  async close (): Promise<void> {
    const server = this.#server
    this.#status = Status.Closed
    if (server === null) {
      this.#forceClose()
      return
    }
    const closed = closeServer(server)
    this.#forceClose()
    await closed
  }

  #forceClose (): void {
    this.#server?.closeAllConnections()
    const inflight = this.#engine[kInflight]
    inflight.destroyUpgrades()
    inflight.abortWatched(new HertzError(HertzErrorCode.SERVER_CLOSED, 'server closed'))
  }
}

/** Runs a socket's shutdown handler; once it settles the socket is closed (after pending writes). */
function sayGoodbye (engine: LifecycleHost, socket: Duplex, handler: SocketShutdownHandler): void {
  if (socket.destroyed) return
  let r: void | Promise<void> | null = null
  try {
    r = handler(socket)
  } catch (err) {
    engine.logger.error(`socket shutdown handler error: ${formatError(err)}`)
  }
  void Promise.resolve(r).then(undefined, (err: unknown) => {
    engine.logger.error(`socket shutdown handler error: ${formatError(err)}`)
  }).then(() => { if (!socket.destroyed) (socket as Socket).destroySoon() })
}
