import type { ServerResponse } from 'node:http'
import type { Engine } from '@hertz-node/router'

// A graceful shutdown answers every request still in flight with `Connection: close`. The router does that for its
// own answers, and for every response on a server it drains (its own in `h.run()`, the host given to
// `h.mount(host)`). An engine started without a server of its own - by `toNodeHandler()`, or `h.mount()` without a
// host - has no such server: the only place that knows of the Node responses still being written by wrapped
// handlers is here. So each engine gets one onShutdown hook that marks them.
//
// The hook is added the first time one of the engine's responses outlives its handler's synchronous run (the
// answer-at-once path never gets here), and never again: `inflight` has an entry for exactly the engines that got
// it. Added then, it is in place before any shutdown could see that response. A request that starts during the
// shutdown needs no hook: `prepareResponse()` marks its response when it starts.
const inflight = new WeakMap<Engine, Set<ServerResponse>>()

/**
 * Remembers `res` until {@link forget}: when `engine` starts a graceful shutdown, a response whose head has
 * not gone out yet is switched to `Connection: close`, as the router does for its own answers. Otherwise the
 * client would keep the connection and the shutdown would wait out the idle timeout.
 *
 * @param engine - the engine serving the request
 * @param res - a Node response still being written by a wrapped handler
 */
export function remember (engine: Engine, res: ServerResponse): void {
  let set = inflight.get(engine)
  if (set === undefined) {
    set = new Set()
    inflight.set(engine, set)
    engine.onShutdown.push(closeAfterResponses.bind(null, set))
  }
  set.add(res)
}

/**
 * Drops `res` remembered by {@link remember}.
 *
 * @param engine - the engine serving the request
 * @param res - the response
 */
export function forget (engine: Engine, res: ServerResponse): void {
  inflight.get(engine)?.delete(res)
}

/** The onShutdown hook of an engine (named so in stack traces and listings of `h.onShutdown`). */
function closeAfterResponses (responses: Set<ServerResponse>): void {
  for (const r of responses) if (!r.headersSent) r.shouldKeepAlive = false
}
