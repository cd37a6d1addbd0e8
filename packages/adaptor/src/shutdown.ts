import type { ServerResponse } from 'node:http'
import type { Engine } from '@hertz-node/router'

// Responses of wrapped handlers still in flight, per engine. Only exchanges that outlive their handler's
// synchronous run are here: the common answer-at-once path never touches this.
const inflight = new WeakMap<Engine, Set<ServerResponse>>()

/**
 * Remembers `res` until {@link forget}: when `engine` starts a graceful shutdown, a response whose head has
 * not gone out yet is switched to `Connection: close`, as the router does for its own answers. Otherwise the
 * client would keep the connection and the shutdown would wait out the idle timeout.
 *
 * @param engine - the engine serving the request
 * @param res - a Node response still being written by a wrapped handler
 */
export function remember(engine: Engine, res: ServerResponse): void {
  let set = inflight.get(engine)
  if (set === undefined) {
    set = new Set()
    inflight.set(engine, set)
    const responses = set
    // One hook per engine, added the first time one of its requests outlives its handler.
    engine.onShutdown.push(function closeAdaptorResponses() {
      for (const r of responses) if (!r.headersSent) r.shouldKeepAlive = false
    })
  }
  set.add(res)
}

/**
 * Drops `res` remembered by {@link remember}.
 *
 * @param engine - the engine serving the request
 * @param res - the response
 */
export function forget(engine: Engine, res: ServerResponse): void {
  inflight.get(engine)?.delete(res)
}
