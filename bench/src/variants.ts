/**
 * The servers under test. The names are the stable contract of `pnpm bench:server <variant>`;
 * variant `x` lives in `servers/x.ts` and is loaded only when it runs, so one broken stack never
 * stops the others.
 */
import type { StartServer } from './servers/types.js'

/** What a variant serves: `http` only `GET /hello`, `ws` also the `/echo` WebSocket. */
export type VariantKind = 'http' | 'ws'

/** Every variant, HTTP ones first, each group baseline first. */
export const VARIANTS = [
  'node-http', 'router', 'router-adaptor', 'fastify', 'router-res',
  'ws-raw', 'ws-raw-loop', 'ws-compat', 'ws-compat-return', 'ws-compat-legacy', 'fastify-websocket', 'router-ws'
] as const

/** A variant name. */
export type Variant = typeof VARIANTS[number]

/** Diagnostic variants: not part of the contract, run only when named with `--only`. */
export const DIAGNOSTIC_VARIANTS: readonly Variant[] = ['router-res', 'ws-raw-loop', 'ws-compat-return', 'router-ws']

/** The variants a run measures unless told otherwise: the contract's eight. */
export const DEFAULT_VARIANTS: readonly Variant[] = VARIANTS.filter((v) => !DIAGNOSTIC_VARIANTS.includes(v))

const DESCRIPTIONS: Record<Variant, string> = {
  'node-http': 'bare node:http',
  router: '@hertz-node/router, native handler',
  'router-adaptor': 'the same route through adaptor.handler',
  fastify: 'fastify with a response schema',
  'router-res': 'router-adaptor\'s Node handler called on c.req / c.res by a native handler: the floor of any adaptor (diagnostic)',
  'ws-raw': 'bare ws + node:http',
  'ws-raw-loop': 'bare ws + one awaiting read loop per connection (diagnostic)',
  'ws-compat': 'router + adaptor.handler + Upgrader, the guide\'s awaiting echo loop',
  'ws-compat-return': 'ws-compat with a handler that returns its read loop (diagnostic)',
  'ws-compat-legacy': 'router + HertzUpgrader (hijack)',
  'fastify-websocket': 'fastify + @fastify/websocket',
  'router-ws': 'router + adaptor.handler in front of bare ws\'s handleUpgrade (diagnostic)'
}

/** The variants of the HTTP table; the first is the baseline. */
export const HTTP_VARIANTS: readonly Variant[] = VARIANTS.slice(0, 5)

/** The variants of the WebSocket tables; the first is the baseline. */
export const WS_VARIANTS: readonly Variant[] = VARIANTS.slice(5)

/** Whether `name` is a known variant. */
export function isVariant (name: string): name is Variant {
  return (VARIANTS as readonly string[]).includes(name)
}

/** `http` or `ws`. */
export function variantKind (variant: Variant): VariantKind {
  return WS_VARIANTS.includes(variant) ? 'ws' : 'http'
}

/** One line describing the stack of a variant. */
export function describeVariant (variant: Variant): string {
  return DESCRIPTIONS[variant]
}

/** Loads `servers/<variant>.ts`. */
export async function loadVariant (variant: Variant): Promise<StartServer> {
  const mod = await import(`./servers/${variant}.js`) as { start: StartServer }
  return mod.start
}
