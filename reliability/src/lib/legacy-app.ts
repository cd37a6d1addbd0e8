/**
 * The app on the legacy path, as the migration guide writes it: `server.Default` and
 * `HertzUpgrader.upgrade(c, handler)` inside a route (the router hijacks the connection).
 */
import type { Context, RequestContext } from '@hertz-node/router'
import { HertzUpgrader } from '@hertz-node/ws-compat'
import type { AppOptions, ServerUnderTest } from './app-types.js'
import { modeOf, startRouterApp } from './router-apps.js'

/** Legacy path: `HertzUpgrader` inside a router handler (hijack). */
export async function startLegacy (opts: AppOptions = {}): Promise<ServerUnderTest> {
  return startRouterApp('legacy', opts, (h, state, wsPath) => {
    const upgrader = new HertzUpgrader(opts.upgrader ?? {})
    const route = async (_ctx: Context, c: RequestContext): Promise<void> => {
      const mode = modeOf(c.path(), wsPath)
      if (mode === 'early') throw new Error('handler threw before the upgrade')
      try {
        await upgrader.upgrade(c, conn => state.serve(conn, mode))
      } catch {
        // The refusal was written on c; nothing else to do (the seed logs it).
      }
    }
    for (const p of [wsPath, `${wsPath}/throw`, `${wsPath}/reject`, `${wsPath}/early`]) h.any(p, route)
  })
}
