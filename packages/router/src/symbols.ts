// The keys of the state the router's own modules share on an engine or a request context, fastify-style: symbols
// that are not exported from the package, so the state is out of reach of applications (and out of their
// autocompletion) while the pipeline reads it as plain properties, with no extra object or call per request.

// ---- RequestContext -----------------------------------------------------------------------------------------------
/** The handler chain being run (a shared empty one until a chain is installed). */
export const kHandlers: unique symbol = Symbol('hertz.handlers')
/** Position in the chain. */
export const kIndex: unique symbol = Symbol('hertz.index')
/** The matched route, null when none matched. */
export const kRoute: unique symbol = Symbol('hertz.route')
/** Path parameter values of the match. */
export const kParams: unique symbol = Symbol('hertz.params')
/** The decoded, normalized path. */
export const kPath: unique symbol = Symbol('hertz.path')
/** The raw query string (after `?`), '' when none. */
export const kRawQuery: unique symbol = Symbol('hertz.rawQuery')
/** The request body once read. */
export const kBody: unique symbol = Symbol('hertz.body')
/** The socket of an upgrade request, null for a plain one. */
export const kUpgradeSocket: unique symbol = Symbol('hertz.upgradeSocket')
/** The hijack handler recorded by `c.hijack()`. */
export const kHijackHandler: unique symbol = Symbol('hertz.hijackHandler')
/** The running hijack handler's promise (settles with the handler), once the chain handed the connection over. */
export const kHijackRun: unique symbol = Symbol('hertz.hijackRun')
/** True once `c.flush()` switched the response to streaming. */
export const kStreaming: unique symbol = Symbol('hertz.streaming')
/** True once the chain has ended and the response was handed to the engine. */
export const kFinished: unique symbol = Symbol('hertz.finished')
/** The Node response if it exists yet, without creating one. */
export const kPeekRes: unique symbol = Symbol('hertz.peekRes')
/** Aborts `c.signal` if it was created. */
export const kAbortSignal: unique symbol = Symbol('hertz.abortSignal')
/** Stops watching the client of a chain whose signal was read (set while it is watched). */
export const kUnwatch: unique symbol = Symbol('hertz.unwatch')
/** The parsed query (an `Args`), null until first used. */
export const kQueryArgs: unique symbol = Symbol('hertz.queryArgs')
/** The parsed urlencoded body (an `Args`), null until first used. */
export const kPostArgs: unique symbol = Symbol('hertz.postArgs')
/** The parsed request cookies, null until first used. */
export const kCookies: unique symbol = Symbol('hertz.cookies')
/** The multipart form state of the request, null until a multipart body is parsed. */
export const kMultipart: unique symbol = Symbol('hertz.multipart')
/** The route pattern set by `c.setFullPath`, null to use the matched route's. */
export const kFullPath: unique symbol = Symbol('hertz.fullPath')
/** The context's own form value function (`c.setFormValueFunc`), null for the default. */
export const kFormValueFunc: unique symbol = Symbol('hertz.formValueFunc')
/** The context's own client IP function (`c.setClientIPFunc`), null for the engine's. */
export const kClientIPFunc: unique symbol = Symbol('hertz.clientIPFunc')
/** Resolves `c.finished()` once the request is over. */
export const kFinish: unique symbol = Symbol('hertz.finish')

// ---- Engine -------------------------------------------------------------------------------------------------------
/** The requests, upgrade sockets and watched contexts an engine has in flight. */
export const kInflight: unique symbol = Symbol('hertz.inflight')
/** Serves an upgrade request without waiting for its hijack (the engine's own listeners). */
export const kServeUpgrade: unique symbol = Symbol('hertz.serveUpgrade')
/** The route table. */
export const kTable: unique symbol = Symbol('hertz.table')
/** Global middleware + noRoute handlers. */
export const kNoRoute: unique symbol = Symbol('hertz.noRoute')
/** Global middleware + noMethod handlers. */
export const kNoMethod: unique symbol = Symbol('hertz.noMethod')
/** The recycled hijack conn cores. */
export const kHijackPool: unique symbol = Symbol('hertz.hijackPool')
/** Computes `c.clientIP()` with the engine's client IP function. */
export const kClientIP: unique symbol = Symbol('hertz.clientIP')
/** The single registration point every group and scope goes through. */
export const kAddRoute: unique symbol = Symbol('hertz.addRoute')
/** The engine's life: status, start, shutdown. */
export const kLifecycle: unique symbol = Symbol('hertz.lifecycle')
/** The HTML templates loaded by `loadHTMLGlob` / `loadHTMLFiles`, null before. */
export const kHTMLRender: unique symbol = Symbol('hertz.htmlRender')
