/**
 * The app on the recommended path: `server.Default`, `adaptor.handler` and `Upgrader.upgrade(req, res)`
 * (the upgrader takes the socket through the adaptor's hijack contract).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { handler as adapt } from '@hertz-node/adaptor'
import { Upgrader, type Conn } from '@hertz-node/ws-compat'
import type { AppOptions, ServerUnderTest } from './app-types.js'
import { modeOf, startRouterApp } from './router-apps.js'

/** Recommended path: `adaptor.handler` + `Upgrader.upgrade(req, res)`. */
export async function startRecommended (opts: AppOptions = {}): Promise<ServerUnderTest> {
  return startRouterApp('recommended', opts, state => {
    const upgrader = new Upgrader(opts.upgrader ?? {})
    return (extra = {}) => adapt(async (req: IncomingMessage, res: ServerResponse) => {
      const mode = modeOf(new URL(req.url ?? '/', 'http://x').pathname)
      if (mode === 'early') throw new Error('handler threw before the upgrade')
      let conn: Conn
      try {
        conn = await upgrader.upgrade(req, res, extra.responseHeader)
      } catch (err) {
        state.upgradeErrors.push(err)
        return
      }
      await state.serve(conn, mode)
    })
  })
}
