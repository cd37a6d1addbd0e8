import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import { Engine } from '../server/engine.js'
import { HertzError, HertzErrorCode } from '../errors.js'
import { mountPaths } from './mount.js'
import { mountUpgrades, mountMatcher, takeUpgradeTicket } from './upgrade.js'
import { kServeUpgrade } from '../symbols.js'

/** Options of {@link hertzFastify}. */
export interface HertzFastifyOptions {
  /** The router to mount (built with `server.New` / `server.Default`; never `run()` it yourself). */
  router: Engine
  /**
   * fastify's own plugin prefix. The router keeps the full paths of its routes, so this must be the router's base
   * path (`server.withBasePath`) or a parent of it; leave it out to mount at the base path.
   */
  prefix?: string
}

/** fastify does not read the body under a mount: the router reads (or streams) it itself. */
function leaveBodyUnread (_req: FastifyRequest, _payload: unknown, done: (err: Error | null, body?: unknown) => void): void {
  done(null)
}

/**
 * Mounts a router into a fastify 5 app: `app.register(hertzFastify, { router: h })`.
 *
 * - fastify owns the server. Every request under the router's base path passes fastify's hooks and then runs
 *   through the router's chain with the router's own semantics (buffered or streamed responses, body limits,
 *   404/405, redirects, abort signal). fastify's body parsers stay out of the way.
 * - Upgrade requests under the base path take the same way and reach the router's chain with the socket, so
 *   `c.hijack()` and the adaptor work inside fastify. Every upgrade socket has exactly one owner: the router takes
 *   every one under its base path (its middleware and 404 answer those it has no route for), except those a more
 *   specific fastify route matches (an `@fastify/websocket` route under the base path); the server's other upgrade
 *   listeners (`@fastify/websocket`, a `ws` server) get all the others and never the router's.
 * - `app.close()` runs the router's graceful shutdown: `onShutdown` hooks run, the router's live upgraded and
 *   hijacked sockets are closed, and the server's connections with no request in flight (spare connections a
 *   browser opened, idle keep-alive ones) are closed at once, busy ones after their response, so fastify's server
 *   can close.
 * - `app.inject()` reaches router routes.
 */
export const hertzFastify: FastifyPluginAsync<HertzFastifyOptions> = async function hertzFastify (fastify: FastifyInstance, opts: HertzFastifyOptions): Promise<void> {
  const h = opts?.router
  if (!(h instanceof Engine)) {
    throw new HertzError(HertzErrorCode.BAD_OPTION, 'hertzFastify: options.router must be a router built with server.New or server.Default')
  }
  const paths = mountPaths(h.basePath(), fastify.prefix)
  // The router's plugins and onRun hooks: a failure here aborts fastify's start.
  await h.mount(fastify.server)
  // preClose runs before fastify closes its server, which waits for every socket (upgraded ones included).
  fastify.addHook('preClose', async function closeRouter () {
    if (h.isRunning()) await h.unmount()
  })

  // This plugin is encapsulated: the catch-all parser only concerns the router's routes.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', leaveBodyUnread)

  function serve (request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack()
    const req = request.raw
    const ticket = takeUpgradeTicket(req)
    if (ticket !== undefined) h[kServeUpgrade](req, ticket.socket, ticket.head)
    else void h.handleRequest(req, reply.raw)
  }
  fastify.all(paths.wildcard, serve)
  if (paths.exact !== null) fastify.all(paths.exact, serve)

  const root = paths.upgradePrefix
  const unmount = mountUpgrades(fastify.server, {
    routing: fastify.routing.bind(fastify),
    findRoute: (method, url) => fastify.findRoute({ method: method as HTTPMethods, url })?.params ?? null,
    owns: mountMatcher(paths.exact === null ? [root + '/*'] : [root + '/*', root], fastify.initialConfig)
  })
  fastify.addHook('onClose', async function unmountUpgrades () { unmount() })
}

export default hertzFastify
