import { Engine, toNodeHandler as routerToNodeHandler, toNodeUpgradeHandler as routerToNodeUpgradeHandler } from '@hertz-node/router'
import type { NodeRequestListener, NodeUpgradeListener } from '@hertz-node/router'
import { AdaptorError, AdaptorErrorCode } from './errors.js'
import { typeOf } from './handler.js'

// The router served by Node servers is the router's own business (`toNodeHandler` in @hertz-node/router); these
// are the names the adaptor exported first, kept for existing code, with the error code they have always thrown.

/** @deprecated an engine as `toNodeHandler` takes it: use the router's `Engine` type. */
export type NodeServable = Engine

function checkEngine (h: unknown, name: string): void {
  if (!(h instanceof Engine)) {
    throw new AdaptorError(AdaptorErrorCode.BAD_ENGINE, `${name}: expected a router engine, got ${typeOf(h)}`)
  }
}

/**
 * @deprecated import `toNodeHandler` from `@hertz-node/router`; this one differs only in the error it throws for
 *   something that is not an engine (`ADAPTOR_ERR_BAD_ENGINE`).
 * @param h - a router engine (`server.New()` / `server.Default()`)
 * @throws AdaptorError `ADAPTOR_ERR_BAD_ENGINE` when `h` is not a router engine
 */
export function toNodeHandler (h: Engine): NodeRequestListener {
  checkEngine(h, 'toNodeHandler')
  return routerToNodeHandler(h)
}

/**
 * @deprecated import `toNodeUpgradeHandler` from `@hertz-node/router` (see {@link toNodeHandler}).
 * @param h - a router engine
 * @throws AdaptorError `ADAPTOR_ERR_BAD_ENGINE` when `h` is not a router engine
 */
export function toNodeUpgradeHandler (h: Engine): NodeUpgradeListener {
  checkEngine(h, 'toNodeUpgradeHandler')
  return routerToNodeUpgradeHandler(h)
}
