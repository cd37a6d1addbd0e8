/**
 * `ws-compat-legacy`: the deprecated hijack path - router + `HertzUpgrader` - with the legacy echo handler
 * of the migration guide (and examples/echo/src/legacy.ts) as written, less its logging. As in the guide
 * the loop does not close the conn: the router closes the hijacked connection when the handler settles.
 * (test-kit's `echo` closes it itself and wraps the loop differently, so it is not used here.)
 */
import { HertzUpgrader, type Conn } from '@hertz-node/ws-compat'
import type { Context, RequestContext } from '@hertz-node/router'
import { ECHO_PATH } from './common.js'
import { nativeHello, startHertz } from './hertz.js'
import type { StartServer } from './types.js'

const upgrader = new HertzUpgrader() // use default options

async function echo (_: Context, c: RequestContext): Promise<void> {
  try {
    await upgrader.upgrade(c, async (conn: Conn) => {
      for (;;) {
        let mt: number, message: Buffer
        try {
          [mt, message] = await conn.readMessage()
        } catch {
          break // read
        }
        try {
          await conn.writeMessage(mt, message)
        } catch {
          break // write
        }
      }
    })
  } catch {
    // upgrade: refused, the upgrader already answered with the HTTP error
  }
}

export const start: StartServer = (host, port) => startHertz(host, port, (h) => {
  nativeHello(h)
  h.GET(ECHO_PATH, echo)
})
