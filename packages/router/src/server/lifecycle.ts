import type { Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { HertzError, ErrorCodes } from '../errors.js'
import { createNodeServer, listen, type ServerCallbacks } from './node-server.js'
import { background, contextWithSignal } from '../go-context.js'
import { loadPlugins } from '../routing/plugin.js'
import { shutdownSocket, type SocketShutdownHandler, type SocketShutdownRunner } from '../hijack/socket-shutdown.js'
import { drainConnections, stopDraining } from './drain.js'
import { abortWatched } from '../context/client-watch.js'
import { describeError } from '../pipeline/recover.js'
import { Status, type Engine } from './engine.js'

// The life of an engine: start (plugins, onRun hooks, listening or being mounted), graceful shutdown within the
// exit wait time, and forced close. The Engine methods of the same names are the documented entry points.

const DONE: Promise<void> = Promise.resolve()

/**
 * Loads the plugins, runs the onRun hooks, then `open`; the engine runs once it resolves, or is back at Init. The
 * start is kept as `engine.starting` while it is in progress, for `ready()`.
 */
function start (engine: Engine, open: () => Promise<void>): Promise<void> {
  if (engine.status !== Status.Init) {
    return Promise.reject(new HertzError(ErrorCodes.HERTZ_ERR_ALREADY_RUNNING, 'engine is already running (or has run)'))
  }
  engine.status = Status.Starting
  // One promise for the caller and every ready() waiter: a failed start is a rejection handled by its caller.
  const p = starting(engine, open).finally(() => { engine.starting = null })
  engine.starting = p
  return p
}

async function starting (engine: Engine, open: () => Promise<void>): Promise<void> {
  try {
    await loadPlugins(engine)
    const ctx = background()
    for (const hook of engine.onRun) await hook(ctx)
    await open()
  } catch (err) {
    engine.server = null
    engine.status = Status.Init
    throw err
  }
  engine.status = Status.Running
}

/** `h.ready()`: the start in progress, or at once when the engine runs (or has run). */
export function ready (engine: Engine): Promise<void> {
  if (engine.starting !== null) return engine.starting
  if (engine.status === Status.Init) {
    return Promise.reject(new HertzError(ErrorCodes.HERTZ_ERR_NOT_RUNNING, 'engine is not starting: ready() waits for run() or mount()'))
  }
  return DONE
}

/** `h.run()`: starts and listens with a node:http server that calls `callbacks`. */
export function run (engine: Engine, callbacks: ServerCallbacks): Promise<void> {
  return start(engine, () => {
    const server = createNodeServer(engine.options, callbacks)
    engine.server = server
    return listen(server, engine.options)
  })
}

/** `h.mount(host)`: starts without listening. */
export function mount (engine: Engine, host: Server | null): Promise<void> {
  return start(engine, () => {
    engine.host = host
    return DONE
  })
}

/** `h.address()`. */
export function address (engine: Engine): AddressInfo {
  const a = engine.server?.address()
  if (a === undefined || a === null) throw new HertzError(ErrorCodes.HERTZ_ERR_NOT_RUNNING, 'engine is not running')
  return typeof a === 'string' ? { address: a, family: 'unix', port: 0 } : a
}

function closeServer (server: Server): Promise<void> {
  return new Promise<void>(resolve => { server.close(() => { resolve() }) })
}

/** `h.shutdown()`: stop accepting, drain the connections, run the hooks; force-close at the exit wait time. */
export async function shutdown (engine: Engine): Promise<void> {
  const server = engine.server
  if (engine.status !== Status.Running || server === null) {
    throw new HertzError(ErrorCodes.HERTZ_ERR_NOT_RUNNING, 'engine is not running')
  }
  engine.status = Status.Shutdown
  const closed = closeServer(server)
  drainConnections(server)
  await drain(engine, closed)
}

/** `h.unmount()`: the graceful shutdown of a mounted engine, draining the host's connections if it has one. */
export async function unmount (engine: Engine): Promise<void> {
  if (engine.status !== Status.Running || engine.server !== null) {
    throw new HertzError(ErrorCodes.HERTZ_ERR_NOT_RUNNING, 'engine is not mounted')
  }
  engine.status = Status.Shutdown
  const host = engine.host
  if (host !== null) drainConnections(host)
  await drain(engine, new Promise<void>(resolve => { whenIdle(engine, resolve) }))
  // Connections the host accepted meanwhile must not hold its own close up either.
  if (host !== null) stopDraining(host)
}

/** Runs the onShutdown hooks until they and `finished` settle or the exit wait time is over, then force-closes. */
async function drain (engine: Engine, finished: Promise<void>): Promise<void> {
  const wait = engine.options.exitWaitTime
  const logger = engine.logger
  logger.info(`Begin graceful shutdown, wait at most ${wait} ms ...`)
  const ac = new AbortController()
  const timer = setTimeout(() => { ac.abort(new HertzError(ErrorCodes.HERTZ_ERR_SERVER_CLOSED, 'exit wait time is over')) }, wait)
  const ctx = contextWithSignal(ac.signal)
  const hooks = Promise.all(engine.onShutdown.map(hook => Promise.resolve().then(() => hook(ctx)).then(undefined,
    (err: unknown) => { logger.error(`onShutdown hook error: ${describeError(err)}`) })))
  // Taken-over connections say goodbye in their own protocol (onSocketShutdown) once the hooks have started, so
  // an application's own goodbye goes first. Waiting for those sockets to close is part of `finished`; what is
  // still open at the exit wait time is destroyed by forceClose().
  const goodbye: SocketShutdownRunner = (socket, handler) => { sayGoodbye(engine, socket, handler) }
  void Promise.resolve().then(() => {
    goodbyes.set(engine, goodbye)
    for (const s of engine.upgradeSockets) shutdownSocket(s, goodbye)
  })
  const timedOut = new Promise<void>(resolve => { ac.signal.addEventListener('abort', () => { resolve() }) })
  await Promise.race([Promise.all([hooks, finished]), timedOut])
  clearTimeout(timer)
  logger.info(ac.signal.aborted ? 'Graceful shutdown timed out, closing what is left' : 'Graceful shutdown finished')
  forceClose(engine)
  engine.status = Status.Closed
}

// The goodbye runner of each engine whose goodbye loop has run: a socket the engine takes in afterwards (an upgrade
// request whose head was still arriving) joins the shutdown through it rather than being left out of the loop.
const goodbyes = new WeakMap<Engine, SocketShutdownRunner>()

/**
 * Enrols the socket of an upgrade request the engine has just taken in: once the engine's shutdown has said
 * goodbye to its sockets, a later one is marked as shutting down at once (see isSocketShuttingDown), and a
 * goodbye registered on it runs at once.
 */
export function joinShutdown (engine: Engine, socket: Duplex): void {
  const goodbye = goodbyes.get(engine)
  if (goodbye !== undefined) shutdownSocket(socket, goodbye)
}

/** Runs a socket's shutdown handler; once it settles the socket is closed (after pending writes). */
function sayGoodbye (engine: Engine, socket: Duplex, handler: SocketShutdownHandler): void {
  if (socket.destroyed) return
  let r: void | Promise<void> = undefined
  try {
    r = handler(socket)
  } catch (err) {
    engine.logger.error(`socket shutdown handler error: ${describeError(err)}`)
  }
  void Promise.resolve(r).then(undefined, (err: unknown) => {
    engine.logger.error(`socket shutdown handler error: ${describeError(err)}`)
  }).then(() => { if (!socket.destroyed) (socket as Socket).destroySoon() })
}

function whenIdle (engine: Engine, fn: () => void): void {
  engine.idleWaiters.push(fn)
  checkIdle(engine)
}

/** Wakes whoever waits for the engine to have no request and no upgrade socket left. */
export function checkIdle (engine: Engine): void {
  if (engine.activeRequests !== 0 || engine.upgradeSockets.size !== 0) return
  const waiters = engine.idleWaiters
  engine.idleWaiters = []
  for (const fn of waiters) fn()
}

/** `h.close()`: closes the server and every connection (upgraded ones included) at once. */
export async function close (engine: Engine): Promise<void> {
  const server = engine.server
  engine.status = Status.Closed
  if (server === null) {
    forceClose(engine)
    return
  }
  const closed = closeServer(server)
  forceClose(engine)
  await closed
}

function forceClose (engine: Engine): void {
  engine.server?.closeAllConnections()
  for (const s of engine.upgradeSockets) s.destroy()
  engine.upgradeSockets.clear()
  abortWatched(engine, new HertzError(ErrorCodes.HERTZ_ERR_SERVER_CLOSED, 'server closed'))
}
