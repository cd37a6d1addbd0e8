import type { Socket } from 'node:net'
import { formatError, logRecovered } from '../errors.js'
import type { RequestContext } from '../context/request-context.js'
import { HijackConn, type HijackHandler } from '../hijack/hijack-conn.js'
import { kHijackHandler, kHijackPool, kHijackRun, kInflight, kPeekRes } from '../symbols.js'
import { rawBody, rawResponse, writeAnswer } from './write.js'
import type { ServingEngine } from './host.js'

// Upgrade requests: their socket is detached from node:http, so the engine answers on it itself, hands it to a
// hijack handler, or closes it; and a graceful shutdown waits for it to close.

const DONE: Promise<void> = Promise.resolve()

function noop (): void {}

/** Takes the socket of an upgrade request in: counted by the engine until it closes. */
export function acceptUpgrade (engine: ServingEngine, socket: Socket): void {
  // Nobody may be listening for errors on a detached socket yet; an unhandled 'error' would crash the process.
  socket.on('error', noop)
  engine[kInflight].addUpgrade(socket)
}

/**
 * The chain of an upgrade request is over: with a hijack handler recorded (and no answer written through `c.res`),
 * the response head goes out raw and the handler gets the connection; otherwise the answer is written and the
 * socket closed after it.
 */
export function completeUpgrade (engine: ServingEngine, c: RequestContext, socket: Socket): void {
  const existing = c[kPeekRes]()
  const handler = c[kHijackHandler]
  if (handler !== null && (existing === null || !existing.headersSent)) {
    let head: string | null = null
    let body: Buffer | null = null
    try {
      head = rawResponse(c)
      body = rawBody(c)
    } catch (err) {
      logRecovered(engine.logger, err)
      c.response.reset()
      c.response.setStatusCode(500)
    }
    if (head !== null) {
      // A client that already hung up is gone: there is nobody to hand the connection to.
      if (socket.destroyed || socket.readableEnded) {
        socket.destroy()
        return
      }
      // The head goes out as text: no Buffer is made for it.
      if (body === null) socket.write(head, 'latin1')
      else {
        socket.cork()
        socket.write(head, 'latin1')
        socket.write(body)
        socket.uncork()
      }
      // Only what the handler needs goes on: the context (request, headers, response) is released for the
      // connection's life rather than kept by the suspended function below. The chain ends here; the run is
      // left on the context for serveUpgrade, which alone waits for it.
      c[kHijackRun] = runHijack(engine, handler, socket, c.upgradeHead)
      return
    }
  }
  const res = c.res
  writeAnswer(c, res)
  if (res.writableFinished) socket.destroySoon()
  else res.once('finish', () => { socket.destroySoon() })
}

/**
 * Runs the hijack handler on a conn wrapper; closes the socket when it settles unless `keepHijackedConns`.
 * Promise callbacks rather than an async function: what waits here lives as long as the connection, and a
 * suspended async function would also keep its arguments (the socket, the bytes read past the head).
 */
function runHijack (engine: ServingEngine, handler: HijackHandler, socket: Socket, head: Buffer | null): Promise<void> {
  socket.setTimeout(0)
  const pooled = !engine.noHijackConnPool
  const keep = engine.keepHijackedConns
  const pool = engine[kHijackPool]
  const core = pool.acquire(pooled)
  core.attach(socket, head)
  const settled = (): void => {
    if (!keep) {
      core.close()
      pool.release(core, pooled)
    }
  }
  const failed = (err: unknown): void => {
    engine.logger.error(`hijack handler error: ${formatError(err)}`)
    settled()
  }
  let result: unknown
  try {
    result = handler(new HijackConn(core, pool, pooled, keep))
  } catch (err) {
    failed(err)
    return DONE
  }
  return Promise.resolve(result).then(settled, failed)
}
