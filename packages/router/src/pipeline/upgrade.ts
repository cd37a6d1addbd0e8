import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { rawResponse } from './write.js'
import { HijackConn, type HijackHandler } from '../hijack/hijack-conn.js'
import { describeError, logRecovered } from './recover.js'
import { writeAnswer } from './serve.js'
import { checkIdle, joinShutdown } from '../server/lifecycle.js'
import { afterEarlierResponses } from '../server/node-internals.js'
import { serve } from './serve.js'
import { RequestContext } from '../context/request-context.js'
import type { Engine } from '../server/engine.js'

// Upgrade requests: their socket is detached from node:http, so the engine answers on it itself, hands it to a
// hijack handler, or closes it; and a graceful shutdown waits for it to close.

const DONE: Promise<void> = Promise.resolve()

function noop (): void {}

/**
 * Serves an upgrade request from node:http's `'upgrade'` (or `'connect'`) event. Resolves when the chain, and a
 * hijack handler if one ran, is done; never rejects and never throws: whatever fails is logged and the socket
 * destroyed, since an exception here would reach the process (node:http calls the listener from its parser).
 *
 * An upgrade request pipelined behind a keep-alive request arrives while that request's response may still own
 * the socket; it is served once every response ahead of it is out, so the answers leave in request order.
 */
export function serveUpgrade (engine: Engine, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  try {
    acceptUpgrade(engine, socket)
    const earlier = afterEarlierResponses(socket)
    const served = earlier === null
      ? serve(engine, new RequestContext(engine, req, null, socket, head))
      : earlier.then(free => free ? serve(engine, new RequestContext(engine, req, null, socket, head)) : undefined)
    return served.then(undefined, (err: unknown) => { upgradeFailed(engine, socket, err) })
  } catch (err) {
    upgradeFailed(engine, socket, err)
    return DONE
  }
}

function upgradeFailed (engine: Engine, socket: Socket, err: unknown): void {
  engine.logger.error(`upgrade request failed: ${describeError(err)}`)
  socket.destroy()
}

/** Takes the socket of an upgrade request in: counted by the engine until it closes. */
function acceptUpgrade (engine: Engine, socket: Socket): void {
  // Nobody may be listening for errors on a detached socket yet; an unhandled 'error' would crash the process.
  socket.on('error', noop)
  engine.upgradeSockets.add(socket)
  socket.on('close', closeListener(engine))
  joinShutdown(engine, socket)
}

// One 'close' listener per engine (the socket is `this`), not a closure per upgraded socket.
const closeListeners = new WeakMap<Engine, (this: Socket) => void>()

function closeListener (engine: Engine): (this: Socket) => void {
  let listener = closeListeners.get(engine)
  if (listener === undefined) {
    listener = function (this: Socket): void {
      engine.upgradeSockets.delete(this)
      if (engine.idleWaiters.length !== 0) checkIdle(engine)
    }
    closeListeners.set(engine, listener)
  }
  return listener
}

/**
 * The chain of an upgrade request is over: with a hijack handler recorded (and no answer written through `c.res`),
 * the response head goes out raw and the handler gets the connection; otherwise the answer is written and the
 * socket closed after it.
 */
export function completeUpgrade (engine: Engine, c: RequestContext, socket: Socket): Promise<void> {
  const existing = c.peekRes()
  if (c.hijackHandler !== null && (existing === null || !existing.headersSent)) {
    let head: Buffer | null = null
    try {
      head = rawResponse(c)
    } catch (err) {
      logRecovered(engine.logger, err)
      c.response.reset()
      c.response.setStatusCode(500)
    }
    if (head !== null) {
      // A client that already hung up is gone: there is nobody to hand the connection to.
      if (socket.destroyed || socket.readableEnded) {
        socket.destroy()
        return DONE
      }
      socket.write(head)
      // Only what the handler needs goes on: the context (request, headers, response) is released for the
      // connection's life rather than kept by the suspended function below.
      return runHijack(engine, c.hijackHandler, socket, c.upgradeHead)
    }
  }
  const res = c.res
  writeAnswer(c, res)
  if (res.writableFinished) socket.destroySoon()
  else res.once('finish', () => { socket.destroySoon() })
  return DONE
}

/**
 * Runs the hijack handler on a conn wrapper; closes the socket when it settles unless `keepHijackedConns`.
 * Promise callbacks rather than an async function: what waits here lives as long as the connection, and a
 * suspended async function would also keep its arguments (the socket, the bytes read past the head).
 */
function runHijack (engine: Engine, handler: HijackHandler, socket: Socket, head: Buffer | null): Promise<void> {
  socket.setTimeout(0)
  const pooled = !engine.noHijackConnPool
  const keep = engine.keepHijackedConns
  const core = engine.hijackPool.acquire(pooled)
  core.attach(socket, head)
  const settled = (): void => {
    if (!keep) {
      core.close()
      engine.hijackPool.release(core, pooled)
    }
  }
  const failed = (err: unknown): void => {
    engine.logger.error(`hijack handler error: ${describeError(err)}`)
    settled()
  }
  let result: unknown
  try {
    result = handler(new HijackConn(core, engine.hijackPool, pooled, keep))
  } catch (err) {
    failed(err)
    return DONE
  }
  return Promise.resolve(result).then(settled, failed)
}
