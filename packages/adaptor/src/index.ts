export { AdaptorError, AdaptorErrorCode } from './errors.js'
export {
  hijack,
  hijacked,
  isHijackable,
  registerHijackable,
  upgradeResponse,
  type Hijacked,
  type HijackListener
} from './hijack.js'
export { onSocketShutdown, isSocketShuttingDown, SocketDeadline, type SocketShutdownHandler } from '@hertz-node/router'
export { handler, HertzHandler, type NodeHandler } from './handler.js'
export { middleware, type NodeMiddleware, type NextFunction } from './middleware.js'
export { toNodeHandler, toNodeUpgradeHandler, type NodeServable } from './to-node.js'
export type { NodeRequestListener, NodeUpgradeListener } from '@hertz-node/router'
