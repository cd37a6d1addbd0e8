import type { IncomingMessage, ServerResponse } from 'node:http'
import { isThenable, type Context, type HandlerFunc, type RequestContext } from '@hertz-node/router'
import { AdaptorError, AdaptorErrorCode } from './errors.js'
import { moveHeaders } from './headers.js'
import { nodeRequest } from './request-replay.js'
import { Exchange, logError, record, socketBytes } from './exchange.js'
import { prepareResponse, typeOf } from './handler.js'

/** The `next` a connect/express middleware calls: no argument continues, an error takes the error path. */
export type NextFunction = (err?: unknown) => void

/** A connect/express style middleware (`cors()`, `helmet()`, `morgan()`, ...). */
export type NodeMiddleware<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> =
  (req: Req, res: Res, next: NextFunction) => unknown

/**
 * Turns a connect/express style middleware into router middleware.
 *
 * `next()` runs the rest of the router chain; the headers the middleware set on `res` move into
 * `c.response` first, so the router's answer carries them and later handlers can still change them.
 * `next(err)` (or a throw, or a rejected Promise) takes the router's error path. A middleware that answers
 * by itself (a CORS preflight, a 401) ends the chain: nothing after it runs, and the step settles when its
 * response is over. Calls of `next` after the first, or after the step is over, are ignored.
 *
 * @param fn - `(req, res, next) => void | Promise<void>`
 * @returns router middleware
 * @throws AdaptorError `ADAPTOR_ERR_BAD_HANDLER` when `fn` is not a function
 */
export function middleware<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> (
  fn: NodeMiddleware<Req, Res>
): HandlerFunc {
  if (typeof fn !== 'function') {
    throw new AdaptorError(AdaptorErrorCode.BAD_HANDLER, `adaptor.middleware: expected a function (req, res, next), got ${typeOf(fn)}`)
  }
  const node = fn as unknown as NodeMiddleware
  const wrapped: HandlerFunc = (ctx: Context, c: RequestContext) => new Step(ctx, c).run(node)
  Object.defineProperty(wrapped, 'name', { value: fn.name === '' ? 'adaptorMiddleware' : fn.name })
  return wrapped
}

const enum State {
  /** The middleware function is still on the stack. */
  Running,
  /** It returned without calling `next`: its own response, a late `next`, or an error will end the step. */
  Waiting,
  /** `next()` handed the request on; the step's result is the rest of the chain. */
  Continued,
  /** The step ended without continuing (answered, or failed). */
  Over,
}

/** One run of a wrapped middleware. */
class Step {
  private readonly ctx: Context
  private readonly c: RequestContext
  private readonly res: ServerResponse
  private state = State.Running
  /** What `c.next()` returned when `next` was called. */
  private chain: void | Promise<void> = undefined
  /** An error (from `next(err)` or a rejection) that arrived while the middleware was still running. */
  private error: unknown = undefined
  private errored = false
  private exchange: Exchange | null = null
  private resolve: ((v: void | Promise<void>) => void) | null = null
  private reject: ((err: unknown) => void) | null = null

  constructor (ctx: Context, c: RequestContext) {
    this.ctx = ctx
    this.c = c
    this.res = c.res
  }

  run (fn: NodeMiddleware): void | Promise<void> {
    const c = this.c
    const res = this.res
    const start = socketBytes(res)
    prepareResponse(c, res)
    let ret: unknown
    try {
      ret = fn(nodeRequest(c), res, this.next)
    } catch (err) {
      if (this.state === State.Continued) {
        this.late('threw after calling next()', err)
        return this.chain
      }
      return this.failNow(new Exchange(c, res, start), err)
    }
    if (isThenable(ret)) ret.then(undefined, (err: unknown) => { this.onError(err) })
    if (this.state === State.Continued) return this.chain
    if (!this.errored && res.writableEnded) {
      // Answered synchronously (a CORS preflight): the chain stops here. The status and bytes are final once the
      // response is ended, so there is nothing to wait for (see handler()).
      this.state = State.Over
      record(c, res, res.socket, start)
      c.abort()
      return
    }
    const x = new Exchange(c, res, start)
    if (this.errored) return this.failNow(x, this.error)
    this.state = State.Waiting
    this.exchange = x
    return new Promise<void>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
      x.wait().then(() => { this.onOver() }, (err: unknown) => { this.onFailed(err) })
    })
  }

  /** The `next` handed to the middleware. */
  private readonly next: NextFunction = (err?: unknown) => {
    if (this.state !== State.Running && this.state !== State.Waiting) return
    if (this.errored) return
    if (err !== undefined && err !== null) {
      this.onError(err)
      return
    }
    moveHeaders(this.res, this.c.response.header)
    let chain: void | Promise<void>
    try {
      chain = this.c.next(this.ctx)
    } catch (e) {
      chain = Promise.reject(e)
    }
    const waiting = this.state === State.Waiting
    this.state = State.Continued
    this.chain = chain
    if (!waiting) return
    // From here on the rest of the chain owns the response.
    ;(this.exchange as Exchange).abandon()
    const resolve = this.resolve
    this.resolve = this.reject = null
    if (resolve !== null) resolve(chain)
  }

  /** `next(err)`, or the middleware's Promise rejected. */
  private onError (err: unknown): void {
    if (this.state === State.Running) {
      if (!this.errored) {
        this.errored = true
        this.error = err
      }
    } else if (this.state === State.Waiting && !this.errored) {
      this.errored = true
      // Settles through onOver / onFailed.
      ;(this.exchange as Exchange).fail(err)
    } else {
      this.late('failed after the step was over', err)
    }
  }

  private onOver (): void {
    if (this.state !== State.Waiting) return
    // The middleware answered by itself: the rest of the chain must not run.
    this.state = State.Over
    this.c.abort()
    const resolve = this.resolve
    this.resolve = this.reject = null
    if (resolve !== null) resolve()
  }

  private onFailed (err: unknown): void {
    if (this.state !== State.Waiting) return
    this.state = State.Over
    const reject = this.reject
    this.resolve = this.reject = null
    if (reject !== null) reject(err)
  }

  /** Fails while nobody waits yet: throws to the router when nothing was written, else stops the chain. */
  private failNow (x: Exchange, err: unknown): void {
    this.state = State.Over
    x.fail(err)
    this.c.abort()
  }

  private late (what: string, err: unknown): void {
    logError(this.c.engine, `middleware ${what}`, err)
  }
}
