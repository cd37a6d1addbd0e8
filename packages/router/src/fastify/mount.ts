import { HertzError, HertzErrorCode } from '../errors.js'
import { trimTrailingSlashes } from '../routing/path.js'

/** Where a router sits inside a fastify instance. */
export interface MountPaths {
  /** Catch-all fastify route, relative to the instance prefix (`/*`, `/hz/*`). */
  wildcard: string
  /** The mount point without its trailing slash, relative to the instance prefix; null when `wildcard` covers it. */
  exact: string | null
  /** Absolute path prefix of the upgrade requests the router owns ('' for the root). */
  upgradePrefix: string
}

/**
 * The fastify routes that carry a router whose routes live under `basePath`, registered in a fastify instance
 * whose prefix is `instancePrefix`. The router keeps the full paths of its routes (so `c.path()`, `c.fullPath()`
 * and redirects stay exact); the fastify prefix must therefore be the router's base path or a parent of it.
 */
export function mountPaths (basePath: string, instancePrefix: string): MountPaths {
  const root = trimTrailingSlashes(basePath)
  const prefix = trimTrailingSlashes(instancePrefix)
  if (root !== prefix && !root.startsWith(prefix + '/')) {
    const want = prefix === '' ? '/' : prefix + '/'
    throw new HertzError(HertzErrorCode.BAD_OPTION,
      `cannot mount a router whose base path is '${basePath}' under the fastify prefix '${instancePrefix}': ` +
      `build it with server.withBasePath('${want}') (or register it without a prefix)`)
  }
  const rel = root.slice(prefix.length)
  // fastify turns '' into the bare prefix; under a prefix that ends in '/' that is what the wildcard already covers.
  const exact = root === '' || (rel === '' && instancePrefix.endsWith('/')) ? null : rel
  return { wildcard: rel + '/*', exact, upgradePrefix: root }
}
