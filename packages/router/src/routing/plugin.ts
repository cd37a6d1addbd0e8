import { HertzError, HertzErrorCode } from '../errors.js'
import { isThenable, type HandlerFunc, type HandlersChain } from '../context/request-context.js'
import type { EngineRef } from '../server/engine-ref.js'
import { RouterGroup, checkHandlers } from './group.js'
import { trimTrailingSlashes, isUnderPrefix } from './path.js'

// Plugins in fastify's style (avvio's loading order, plugin-override's encapsulation), on top of router groups:
// a scope is a group (prefix + middleware snapshot) that can also register plugins and answer its own 404s.

/** A plugin: registers routes, middleware and nested plugins on the scope it is given. */
export type Plugin<O extends object = Record<string, unknown>> = (scope: Scope, opts: O & RegisterOptions) => void | Promise<void>

/** Options every registration understands; the rest are the plugin's own and are handed to it untouched. */
export interface RegisterOptions {
  /** Path prefix of everything the plugin registers, joined to its parent's prefix with exactly one slash. */
  prefix?: string
}

/** The marker fastify-plugin sets; a plugin carrying it runs in its parent's scope. */
export const kSkipOverride: unique symbol = Symbol.for('skip-override')

const kDisplayName = Symbol.for('fastify.display-name')

/**
 * Opts `plugin` out of encapsulation (fastify-plugin's skip-override): it runs in the scope of whoever registers
 * it, so its middleware, routes and 404 handlers land in that scope. Such a plugin cannot take a prefix.
 */
export function skipOverride<P extends Plugin<any>> (plugin: P): P {
  (plugin as P & { [kSkipOverride]?: boolean })[kSkipOverride] = true
  return plugin
}

interface Pending {
  plugin: Plugin<any>
  opts: RegisterOptions
  parent: Scope
  /** Plugins registered while this one's body ran: they load right after it, before its next sibling. */
  children: Pending[]
}

interface NoRouteEntry {
  /** Scope prefix without trailing slash. */
  prefix: string
  scope: Scope
  handlers: HandlerFunc[]
  chain: HandlersChain
}

/** What plugins need of the engine they load into, besides its {@link EngineRef} (the Engine is one). */
export interface PluginHost {
  /** The engine's global middleware. */
  readonly handlers: HandlerFunc[]
  /** Time (ms) a plugin may take to load; 0 waits forever. */
  readonly pluginTimeout: number
  basePath (): string
  use (...middleware: HandlerFunc[]): unknown
  noRoute (...handlers: HandlerFunc[]): void
}

/** Per-engine plugin bookkeeping. */
class PluginState {
  readonly root: RootScope
  readonly queue: Pending[] = []
  current: Pending | null = null
  loading: Promise<void> | null = null
  loaded = false
  /** Scoped 404 chains, longest prefix first. */
  readonly noRoutes: NoRouteEntry[] = []

  constructor (host: EngineRef & PluginHost) {
    this.root = new RootScope(host)
  }
}

const states = new WeakMap<object, PluginState>()

function stateOf (engine: EngineRef): PluginState {
  // A scope's engine is the host its root scope was made for.
  return hostState(engine as EngineRef & PluginHost)
}

function hostState (host: EngineRef & PluginHost): PluginState {
  let s = states.get(host)
  if (s === undefined) {
    s = new PluginState(host)
    states.set(host, s)
  }
  return s
}

let childOf: (parent: Scope, prefix: string) => Scope

/**
 * The view of the router a plugin receives (fastify's encapsulated instance): a router group whose routes,
 * `use` middleware and `noRoute` handlers get its prefix. A child scope starts with its parent's middleware as it
 * stands when the child loads (after the parent's body has run); nothing a child adds reaches its parent or its
 * siblings.
 */
export class Scope extends RouterGroup {
  /** The engine this scope belongs to: its hooks (`onRun`, `onShutdown`), logger and options. */
  override get engine (): EngineRef {
    return super.engine
  }

  /**
   * Registers `plugin` under this scope. It loads, in registration order, when the engine starts (`run()`,
   * `spin()`, or being mounted into fastify); its own registrations load right after it.
   */
  register<O extends object = Record<string, unknown>> (plugin: Plugin<O>, opts?: O & RegisterOptions): this {
    enqueue(this, plugin as Plugin<any>, opts === undefined ? {} : opts)
    return this
  }

  /** Adds middleware to this scope (and to scopes created from it afterwards), including its 404 chain. */
  override use (...middleware: HandlerFunc[]): this {
    super.use(...middleware)
    for (const e of stateOf(this.engine).noRoutes) {
      if (e.scope === this) e.chain = this.combineHandlers(e.handlers)
    }
    return this
  }

  /** Handlers for requests under this scope's prefix that no route matches (after the scope's middleware). */
  noRoute (...handlers: HandlerFunc[]): void {
    checkHandlers(handlers)
    const list = stateOf(this.engine).noRoutes
    const prefix = trimTrailingSlashes(this.prefix)
    const same = list.find(e => e.prefix === prefix)
    if (same !== undefined && same.scope !== this) {
      throw new HertzError(HertzErrorCode.ROUTE_CONFLICT, `noRoute handlers are already set for prefix '${this.prefix}' by another scope`)
    }
    const entry: NoRouteEntry = { prefix, scope: this, handlers, chain: this.combineHandlers(handlers) }
    if (same !== undefined) list.splice(list.indexOf(same), 1)
    list.push(entry)
    list.sort((a, b) => b.prefix.length - a.prefix.length)
  }

  static {
    // A child scope under `prefix` that starts with this scope's middleware (what a plugin registered here gets).
    childOf = (parent, prefix) => new Scope(parent.engine, parent.calculateAbsolutePath(prefix), parent.combineHandlers([]))
  }
}

/** The engine's own scope: middleware and 404 handlers registered here are the engine's global ones. */
class RootScope extends Scope {
  readonly #host: PluginHost

  constructor (host: EngineRef & PluginHost) {
    super(host, host.basePath(), [])
    this.#host = host
  }

  override use (...middleware: HandlerFunc[]): this {
    this.#host.use(...middleware)
    return this
  }

  override noRoute (...handlers: HandlerFunc[]): void {
    this.#host.noRoute(...handlers)
  }

  protected override combineHandlers (handlers: readonly HandlerFunc[]): HandlerFunc[] {
    return this.#host.handlers.concat(handlers)
  }
}

/** Where a pending plugin runs: its parent's scope when it skips encapsulation, else a child of it. */
function scopeFor (p: Pending, skip: boolean): Scope {
  return skip ? p.parent : childOf(p.parent, p.opts.prefix ?? '')
}

function pluginName (plugin: Plugin<any>): string {
  const display = (plugin as unknown as Record<symbol, unknown>)[kDisplayName]
  if (typeof display === 'string') return display
  return plugin.name !== '' ? plugin.name : 'anonymous'
}

function enqueue (parent: Scope, plugin: Plugin<any>, opts: RegisterOptions): void {
  if (typeof plugin !== 'function') {
    throw new HertzError(HertzErrorCode.BAD_PLUGIN, `plugin must be a function, got ${typeof plugin}`)
  }
  if (typeof opts !== 'object' || opts === null) {
    throw new HertzError(HertzErrorCode.BAD_PLUGIN, `options of plugin '${pluginName(plugin)}' must be an object`)
  }
  const prefix = opts.prefix
  if (prefix !== undefined && typeof prefix !== 'string') {
    throw new HertzError(HertzErrorCode.BAD_PLUGIN, `prefix of plugin '${pluginName(plugin)}' must be a string`)
  }
  if (prefix !== undefined && prefix !== '' && (plugin as { [kSkipOverride]?: boolean })[kSkipOverride] === true) {
    throw new HertzError(HertzErrorCode.BAD_PLUGIN,
      `plugin '${pluginName(plugin)}' skips encapsulation and runs in its parent's scope: it cannot take a prefix`)
  }
  const state = stateOf(parent.engine)
  if (state.loaded) {
    throw new HertzError(HertzErrorCode.PLUGIN_TOO_LATE, `plugin '${pluginName(plugin)}' registered after the plugins were loaded`)
  }
  const pending: Pending = { plugin, opts, parent, children: [] }
  ;(state.current?.children ?? state.queue).push(pending)
}

/** `h.register(plugin, opts)`: registers a plugin on the engine's own scope. */
export function registerPlugin (engine: EngineRef & PluginHost, plugin: Plugin<any>, opts?: RegisterOptions): void {
  enqueue(hostState(engine).root, plugin, opts === undefined ? {} : opts)
}

/**
 * Loads every registered plugin in order, awaiting async ones; resolves when all have loaded and rejects with
 * `HERTZ_ERR_PLUGIN_FAILED` (cause: the plugin's error) or `HERTZ_ERR_PLUGIN_TIMEOUT` on the first failure.
 * Runs once per engine; later calls share the outcome.
 */
export function loadPlugins (engine: EngineRef & PluginHost): Promise<void> {
  const state = hostState(engine)
  if (state.loading === null) {
    state.loading = drain(state, state.queue, engine.pluginTimeout).then(() => { state.loaded = true })
  }
  return state.loading
}

async function drain (state: PluginState, queue: Pending[], timeout: number): Promise<void> {
  while (queue.length > 0) {
    const p = queue.shift() as Pending
    const skip = (p.plugin as { [kSkipOverride]?: boolean })[kSkipOverride] === true
    const scope = scopeFor(p, skip)
    const previous = state.current
    state.current = p
    try {
      await runWithTimeout(p.plugin, scope, p.opts, timeout)
    } finally {
      state.current = previous
    }
    await drain(state, p.children, timeout)
  }
}

async function runWithTimeout (plugin: Plugin<any>, scope: Scope, opts: RegisterOptions, timeout: number): Promise<void> {
  const name = pluginName(plugin)
  let timer: NodeJS.Timeout | undefined
  try {
    const result = plugin(scope, opts)
    if (!isThenable(result)) return
    if (timeout <= 0) {
      await result
      return
    }
    await Promise.race([result, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new HertzError(HertzErrorCode.PLUGIN_TIMEOUT, `plugin '${name}' did not finish loading within ${timeout} ms`))
      }, timeout)
    })])
  } catch (err) {
    if (err instanceof HertzError && err.code === HertzErrorCode.PLUGIN_TIMEOUT) throw err
    const msg = err instanceof Error ? err.message : String(err)
    throw new HertzError(HertzErrorCode.PLUGIN_FAILED, `plugin '${name}' failed to load: ${msg}`, { cause: err })
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

/** The 404 chain of the innermost scope whose prefix contains `path`, or null when no scope set one. */
export function scopedNoRoute (engine: object, path: string): HandlersChain | null {
  const state = states.get(engine)
  if (state === undefined) return null
  for (const e of state.noRoutes) {
    if (isUnderPrefix(path, e.prefix)) return e.chain
  }
  return null
}
