export { server } from './server.js'
export { Hertz } from './hertz.js'
export { Engine } from './engine.js'
export { defaultClientIP, type ClientIPFunc } from './client-ip.js'
export { RouterGroup, joinPaths } from './router-group.js'
export { Scope, skipOverride, kSkipOverride, type Plugin, type RegisterOptions } from './plugin.js'
export { RequestContext } from './context.js'
export { Request, RequestHeader } from './request.js'
export { Response, ResponseHeader, type Chunk } from './response.js'
export { HijackConn, type HijackHandler } from './hijack.js'
export { onSocketShutdown, isSocketShuttingDown, type SocketShutdownHandler } from './socket-shutdown.js'
export { afterEarlierResponses } from './node-internals.js'
export { HertzError, ErrorCodes, type ErrorCode } from './errors.js'
export { Addr } from './addr.js'
export { recovery } from './recovery.js'
export { background, withValue, contextWithSignal } from './ctx.js'
export type { RouteInfo, RouteEntry, Params } from './routes.js'
export type { Options, Option } from './options.js'
export type { Context, HandlerFunc, HandlersChain, CtxCallback, CtxErrCallback, Logger } from './types.js'
export {
  withHostPorts, withNetwork, withBasePath, withReadTimeout, withReadHeaderTimeout, withIdleTimeout,
  withKeepAliveTimeout, withExitWaitTime, withMaxRequestBodySize, withMaxHeaderBytes, withHandleMethodNotAllowed,
  withRedirectTrailingSlash, withRedirectFixedPath, withStreamBody, withKeepAlive, withDisableDefaultDate,
  withDisableDefaultContentType, withDisableDefaultServerHeader
} from './options.js'
