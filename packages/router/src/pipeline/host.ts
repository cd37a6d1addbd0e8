import type { Logger } from '../errors.js'
import type { HandlerFunc, HandlersChain } from '../context/request-context.js'
import type { HijackConnPool } from '../hijack/pool.js'
import type { RouteTable } from '../routing/table.js'
import type { Options } from '../server/options.js'
import type { kHijackPool, kInflight, kNoMethod, kNoRoute, kTable } from '../symbols.js'
import type { Inflight } from './inflight.js'

/**
 * What the request pipeline needs of the engine it serves: its live settings and the state the engine keeps for
 * serving. The Engine implements it; the pipeline never imports the Engine itself.
 */
export interface ServingEngine {
  readonly options: Options
  /** The global middleware (runs for 400 answers too). */
  readonly handlers: HandlersChain
  logger: Logger
  panicHandler: HandlerFunc | null
  noHijackConnPool: boolean
  keepHijackedConns: boolean
  readonly [kTable]: RouteTable
  readonly [kNoRoute]: HandlersChain
  readonly [kNoMethod]: HandlersChain
  readonly [kInflight]: Inflight
  readonly [kHijackPool]: HijackConnPool
}
