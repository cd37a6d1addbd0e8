/** The `server` package: factories and options, used as `server.Default(server.withHostPorts(':8080'))`. */
export * as server from './server/factory.js'
export { Hertz } from './server/hertz.js'
export { Engine } from './server/engine.js'
export type { InjectOptions, InjectResponse } from './inject/inject.js'
export { defaultClientIP, clientIPWithOption, type ClientIPFunc, type ClientIPOptions } from './context/client-ip.js'
export { Args } from './context/args.js'
export {
  CookieSameSiteDisabled, CookieSameSiteDefaultMode, CookieSameSiteLaxMode, CookieSameSiteStrictMode,
  CookieSameSiteNoneMode, type Cookie, type CookieSameSite
} from './context/cookies.js'
export {
  ContextError, ErrorChain, ErrorTypeBind, ErrorTypeRender, ErrorTypePrivate, ErrorTypePublic, ErrorTypeAny,
  type ErrorType
} from './context/error-chain.js'
export { FileHeader } from './context/file-header.js'
export type { MultipartForm, MultipartLimits } from './context/multipart.js'
export { setHandlerName, getHandlerName } from './context/handler-name.js'
export { RouterGroup, joinPaths } from './routing/group.js'
export { Scope, skipOverride, kSkipOverride, type Plugin, type RegisterOptions } from './routing/plugin.js'
export { RequestContext, type FormValueFunc, type FileSystemRoot } from './context/request-context.js'
export { Request, RequestHeader } from './context/request.js'
export { Response, ResponseHeader, type Chunk } from './context/response.js'
export { HijackConn, type HijackHandler } from './hijack/hijack-conn.js'
export { lingeringClose, type LingeringCloseOptions } from './hijack/lingering-close.js'
export { SocketDeadline } from './hijack/socket-deadline.js'
export { onSocketShutdown, isSocketShuttingDown, type SocketShutdownHandler } from './hijack/socket-shutdown.js'
export { afterEarlierResponses, setServerHeader } from './server/node-internals.js'
export { toNodeHandler, toNodeUpgradeHandler, type NodeRequestListener, type NodeUpgradeListener } from './server/node-handler.js'
export { HertzError, HertzErrorCode, ErrorCodes, formatError, type ErrorCode, type Logger } from './errors.js'
export { Addr } from './context/addr.js'
export { recovery } from './pipeline/recover.js'
export { background, withValue, contextWithSignal } from './go-context.js'
export type { RouteInfo, RouteEntry, Params } from './routing/table.js'
export { splitHostPort, type Options, type Option, type HostPort, type SplitHostPortOptions } from './server/options.js'
export { isThenable, type HandlerFunc, type HandlersChain } from './context/request-context.js'
export type { Context, CtxCallback, CtxErrCallback } from './go-context.js'
export {
  withHostPorts, withNetwork, withBasePath, withReadTimeout, withReadHeaderTimeout, withIdleTimeout,
  withKeepAliveTimeout, withExitWaitTime, withMaxRequestBodySize, withMaxHeaderBytes, withHandleMethodNotAllowed,
  withRedirectTrailingSlash, withRedirectFixedPath, withStreamBody, withKeepAlive, withDisableDefaultDate,
  withDisableDefaultContentType, withDisableDefaultServerHeader, withMultipartLimits, withWorkers, withUseRawPath,
  withUnescapePathValues, withRemoveExtraSlash, withTLS
} from './server/options.js'
export { BindError, type FieldIssue } from './binding/bind-error.js'
export type { BindOptions, FieldTag, BindSource } from './binding/gather.js'
export type { Schema, Infer, FieldType } from './binding/schema.js'
export type { FuncMap, Delims } from './render/html.js'
export { newPathSlashesStripper, newVHostPathRewriter, type FS, type PathRewriteFunc } from './routing/fs.js'
export { detectContentType } from './routing/mime.js'
