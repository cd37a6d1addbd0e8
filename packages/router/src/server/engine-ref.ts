import type { Logger } from '../errors.js'
import type { Inflight } from '../pipeline/inflight.js'
import type { HTMLRender } from '../render/html.js'
import { kAddRoute, kClientIP, kHTMLRender, kInflight } from '../symbols.js'
import type { Options } from './options.js'

/**
 * The engine as the modules below it see it: a request context (`c.engine`), a router group and a plugin scope
 * (`scope.engine`) hold their engine through this interface, so that they need not import the engine, which
 * imports them. It lists what those modules use; engine.ts widens it to the whole {@link Engine} (a module
 * augmentation: `interface EngineRef extends Engine`), so `c.engine` is typed as the full engine for applications.
 */
export interface EngineRef {
  /** Resolved configuration. */
  readonly options: Options
  /** Where the engine logs. */
  logger: Logger
  /** True once shutting down or closed. */
  isClosing (): boolean
  /** What the engine has in flight (requests, upgrade sockets, contexts whose signal is watched). */
  readonly [kInflight]: Inflight
  /** `c.clientIP()`, computed with the engine's client IP function. */
  [kClientIP] (c: object): string
  /** The loaded HTML templates, null before `loadHTMLGlob` / `loadHTMLFiles`. */
  readonly [kHTMLRender]: HTMLRender | null
  /** Registers a route (the single registration point of every group and scope). */
  [kAddRoute] (method: string, path: string, handlers: readonly unknown[]): void
}
