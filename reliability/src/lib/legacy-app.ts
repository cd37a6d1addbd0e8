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
  return startRouterApp('legacy', opts, state => {
    const upgrader = new HertzUpgrader(opts.upgrader ?? {})
    return (extra = {}) => async (_ctx: Context, c: RequestContext): Promise<void> => {
      const mode = modeOf(c.path())
      if (mode === 'early') throw new Error('handler threw before the upgrade')
      // The legacy API has no responseHeader argument: extra headers go on c.response before the upgrade.
      for (const [k, v] of Object.entries(extra.responseHeader ?? {})) c.response.header.set(k, v)
      try {
        await upgrader.upgrade(c, conn => state.serve(conn, mode))
      } catch (err) {
        // The refusal was written on c (the seed logs it).
        state.upgradeErrors.push(err)
      }
    }
  })
}
