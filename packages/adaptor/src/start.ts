import { ErrorCodes, type Logger } from '@hertz-node/router'
import { describeError } from './errors.js'

/** What starting an engine from the outside needs of it (the engine's own lifecycle methods). */
export interface Startable {
  /** Loads the plugins and runs the onRun hooks without listening; rejects when the engine has started already. */
  mount (): Promise<void>
  /** Resolves when a start in progress (`h.run()`, `h.mount()`) has finished; rejects when it failed. */
  ready (): Promise<void>
  /** True once started, until a shutdown begins. */
  isRunning (): boolean
  /** True once shutting down or closed. */
  isClosing (): boolean
  /** Where the engine logs. */
  logger: Logger
}

// One start per engine, shared by its request and upgrade listeners (and by every toNodeHandler() of it), so the
// plugins and onRun hooks run once however many requests arrive while they load.
const starts = new WeakMap<Startable, Promise<void>>()

/**
 * What a request for `h` must wait for before it is served: `null` when the engine is serving already (started by
 * an earlier request, by `h.run()` / `h.mount()`, or shutting down, when it answers with `Connection: close`);
 * otherwise the start of the engine, which the first such request begins (`h.mount()`: plugins, then onRun hooks).
 * A start that fails is logged once through `h.logger` and is final: every request waiting for it, or arriving
 * later, gets the rejection.
 *
 * @param h - the engine a request arrived for
 */
export function pendingStart (h: Startable): Promise<void> | null {
  if (h.isRunning() || h.isClosing()) return null
  let p = starts.get(h)
  if (p === undefined) {
    p = start(h)
    starts.set(h, p)
    p.then(undefined, (err: unknown) => {
      h.logger.error(`adaptor: the router could not start, its requests are answered 500: ${describeError(err)}`)
    })
  }
  return p
}

async function start (h: Startable): Promise<void> {
  for (;;) {
    try {
      await h.mount()
      return
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code !== ErrorCodes.HERTZ_ERR_ALREADY_RUNNING) throw err
    }
    // `h.run()` or `h.mount(server)` is starting the engine: wait for it. Should that start fail, the engine is back
    // at its beginning and the next round starts it here (sharing a plugin failure, which the engine keeps).
    try {
      await h.ready()
      return
    } catch {
      // That start failed: the next round starts the engine here.
    }
  }
}
