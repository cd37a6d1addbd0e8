/**
 * `ws-compat-return` (diagnostic, run only when named): the `ws-compat` stack with a handler that *returns*
 * its read loop's promise instead of awaiting it, so the handler's frame (and `req` and `res` with it) ends
 * at the upgrade, as packages/ws-compat/README.md advises. Users port the seed's awaiting loop; this variant
 * prices the difference.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { handler } from '@hertz-node/adaptor'
import { Upgrader, type Conn } from '@hertz-node/ws-compat'
import { ECHO_PATH } from './common.js'
import { echo as echoConn } from '@hertz-node/test-kit/echo'
import { nativeHello, startHertz } from './hertz.js'
import type { StartServer } from './types.js'

const upgrader = new Upgrader()

async function echo (req: IncomingMessage, res: ServerResponse): Promise<void> {
  let conn: Conn
  try {
    conn = await upgrader.upgrade(req, res)
  } catch {
    return // refused: the Upgrader already answered with the HTTP error
  }
  // Returned, not awaited: this frame (and req and res with it) ends here, as packages/ws-compat/README.md advises.
  return echoConn(conn)
}

export const start: StartServer = (host, port) => startHertz(host, port, (h) => {
  nativeHello(h)
  h.GET(ECHO_PATH, handler(echo))
})
