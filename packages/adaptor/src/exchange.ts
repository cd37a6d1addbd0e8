import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex, Readable } from 'node:stream'
import { formatError, type Engine, type RequestContext } from '@hertz-node/router'
import { registerHijackable } from './hijack.js'
import { clearHeaders } from './headers.js'
import { headLength } from './node-internals.js'

const DONE: Promise<void> = Promise.resolve()

/**
 * Bytes already handed to the response's socket, or -1 when it has none yet (a pipelined response waits for
 * its turn). Taken before and after a wrapped handler runs, it measures what that handler sent.
 */
export function socketBytes (res: ServerResponse): number {
  const socket = res.socket
  return socket === null ? -1 : socket.bytesWritten
}

/**
 * Tells the rest of the chain what a wrapped Node handler answered, so a middleware that awaited `c.next()`
 * (access log, metrics) sees it on `c.response`: the real status, and the body bytes put on the wire (the
 * socket's bytes after the head, chunk framing included, as nginx's `$body_bytes_sent`).
 *
 * @param c - the request context
 * @param res - the completed Node response
 * @param socket - the response's socket when the handler started (node:http detaches it on 'finish')
 * @param start - {@link socketBytes} before the handler ran
 */
export function record (c: RequestContext, res: ServerResponse, socket: Socket | null, start: number): void {
  if (!res.headersSent) return
  const r = c.response
  r.setStatusCode(res.statusCode)
  if (start < 0 || socket === null) return
  r.setBytesSent(Math.max(0, socket.bytesWritten - start - headLength(res)))
}

/**
 * Logs, through the engine's logger, an error that can no longer take the router's error path.
 *
 * @param engine - the engine that served the request
 * @param what - what happened, for the reader of the log
 * @param err - what the wrapped function threw
 */
export function logError (engine: Engine, what: string, err: unknown): void {
  engine.logger.error(`adaptor: ${what}: ${formatError(err)}`)
}

/**
 * The life of one wrapped Node handler whose response is still in flight. It settles when the response is
 * over (`finish`, `close`, `error`, a piped source that broke off) or when the handler hijacks the socket; it
 * rejects only when the handler failed before writing anything, so the router can still answer.
 */
export class Exchange {
  /**
   * The request context; dropped once the socket is hijacked, so that a WebSocket session does not keep the
   * request it started from reachable (the handler's own promise keeps this exchange alive until it settles).
   */
  private c: RequestContext | null
  /** The engine, for its logger and in-flight bookkeeping (it outlives every exchange). */
  private readonly engine: Engine
  /**
   * The Node response handed to the handler; dropped at a hijack like the context, since the request and
   * response of a WebSocket session have no use once the socket changed hands.
   */
  private res: ServerResponse | null
  /** {@link socketBytes} before the handler ran. */
  readonly start: number
  /** The response's socket when the handler started. */
  private readonly socket: Socket | null
  /** True once the exchange is over; nothing it does afterwards touches the response. */
  private settled = false
  /** The upgrade socket registered for hijack, null for a plain request. */
  private upgradeSocket: Duplex | null = null
  /** The socket once the handler hijacked it. */
  private hijackedSocket: Duplex | null = null
  private resolve: (() => void) | null = null
  private reject: ((err: unknown) => void) | null = null
  /** Made when the exchange first listens: one settled at once (most are) needs none. */
  private onDone: (() => void) | null = null
  private onPeerEnd: (() => void) | null = null

  /**
   * @param c - the request context
   * @param res - the Node response handed to the handler
   * @param start - {@link socketBytes} before the handler ran
   */
  constructor (c: RequestContext, res: ServerResponse, start: number) {
    this.c = c
    this.engine = c.engine
    this.res = res
    this.start = start
    this.socket = res.socket
  }

  /**
   * Makes `res` hijackable with the upgrade socket and `head`. A hijack hands the socket over for good: the
   * router is told to write nothing more and the exchange is over.
   */
  registerUpgrade (): void {
    const res = this.res as ServerResponse
    const socket = res.socket
    if (socket === null) return
    this.upgradeSocket = socket
    registerHijackable(res, socket, (this.c as RequestContext).upgradeHead, () => { this.hijacked() })
  }

  /**
   * Called by the hijack listener. The socket now belongs to the hijacker, so the exchange is over
   * for the router: the chain completes (as it does around `c.hijack`) and the request context is let go.
   * A later failure of the handler still destroys the hijacked socket (see {@link fail}).
   */
  hijacked (): void {
    this.hijackedSocket = this.upgradeSocket as Duplex
    ;(this.c as RequestContext).takeResponse()
    this.complete()
    this.c = null
    this.res = null
    this.onDone = this.onPeerEnd = null
  }

  /** Watches the handler's promise: a rejection is an error of the handler. */
  watch (p: PromiseLike<unknown>): void {
    p.then(undefined, (err: unknown) => { this.fail(err) })
  }

  /** True once the exchange is over (completed, hijacked, or handed to the router's error path). */
  isSettled (): boolean {
    return this.settled
  }

  /** True when the response is already over. */
  isOver (): boolean {
    const res = this.res as ServerResponse
    return res.writableFinished || res.destroyed
  }

  /** Resolves when the exchange is over; rejects when the handler failed before writing. */
  wait (): Promise<void> {
    if (this.settled) return DONE
    if (this.isOver()) {
      this.complete()
      return DONE
    }
    return new Promise<void>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
      this.listen()
    })
  }

  /** Stops watching without settling: someone else (the rest of the chain) owns the response now. */
  abandon (): void {
    if (this.settled) return
    this.settled = true
    this.unlisten()
    this.resolve = this.reject = null
  }

  /** Ends the exchange successfully. */
  complete (): void {
    if (this.settled) return
    this.settled = true
    this.unlisten()
    if (this.hijackedSocket === null) record(this.c as RequestContext, this.res as ServerResponse, this.socket, this.start)
    const resolve = this.resolve
    this.resolve = this.reject = null
    if (resolve !== null) resolve()
  }

  /**
   * The handler threw or rejected. Before anything was written the error goes to the router's error path
   * (thrown from here when nobody waits yet); afterwards the connection is destroyed so that the client sees a
   * broken response rather than a complete-looking one, and the error is logged.
   */
  fail (err: unknown): void {
    const socket = this.hijackedSocket
    if (this.settled) {
      if (socket !== null && !socket.destroyed) {
        logError(this.engine, 'handler failed after it hijacked the socket, connection destroyed', err)
        socket.destroy()
        return
      }
      logError(this.engine, 'handler failed after its response was complete', err)
      return
    }
    const res = this.res as ServerResponse
    if (!res.headersSent && !res.destroyed) {
      this.settled = true
      this.unlisten()
      clearHeaders(res)
      const reject = this.reject
      this.resolve = this.reject = null
      if (reject === null) throw err
      reject(err)
      return
    }
    logError(this.engine, 'handler failed after its response started, connection destroyed', err)
    destroyAfterFlush(res)
    this.complete()
  }

  private listen (): void {
    const res = this.res as ServerResponse
    const onDone = (this.onDone ??= () => { this.complete() })
    res.on('finish', onDone)
    res.on('close', onDone)
    res.on('error', onDone)
    // A graceful shutdown that begins while the handler writes must still close the connection after it.
    this.engine.closeOnShutdown(res)
    const socket = this.upgradeSocket
    if (socket !== null) {
      // node:http leaves upgrade sockets half-open: a client that gives up (FIN) before any answer would keep
      // the exchange, and the socket, alive forever.
      this.onPeerEnd = () => { if (this.hijackedSocket === null) socket.destroy() }
      socket.on('end', this.onPeerEnd)
    }
  }

  private unlisten (): void {
    if (this.resolve === null) return
    const res = this.res as ServerResponse
    const onDone = this.onDone as () => void
    res.removeListener('finish', onDone)
    res.removeListener('close', onDone)
    res.removeListener('error', onDone)
    this.engine.releaseOnShutdown(res)
    if (this.onPeerEnd !== null) (this.upgradeSocket as Duplex).removeListener('end', this.onPeerEnd)
  }
}

/**
 * Destroys the connection of a response that cannot be completed. node:http corks the socket for the rest
 * of the tick after a write; uncorking first lets what the handler did write reach the client, which then
 * sees a truncated answer instead of nothing at all.
 */
export function destroyAfterFlush (res: ServerResponse): void {
  const socket = res.socket
  if (socket !== null) while (socket.writableCorked > 0) socket.uncork()
  res.destroy()
}

/**
 * Watches what gets piped into `res`: `src.pipe(res)` leaves `res` open forever when `src` breaks off (an
 * error, a destroy), since pipe() ends its destination only on a clean 'end'. Destroying the response then is
 * what lets the exchange (and the client) finish instead of hanging. Installed before the handler runs, as
 * the pipe usually starts inside it.
 *
 * @param res - the response handed to a wrapped handler
 */
export function watchPipes (res: ServerResponse): void {
  // A middleware and then a handler see the same response: watch it once.
  if (res.listenerCount('pipe') === 0 || !res.listeners('pipe').includes(onPipe)) res.on('pipe', onPipe)
}

function onPipe (this: ServerResponse, src: Readable): void {
  const res = this
  src.once('close', () => {
    if (!src.readableEnded && !res.writableEnded && !res.destroyed) {
      destroyAfterFlush(res)
    }
  })
}
