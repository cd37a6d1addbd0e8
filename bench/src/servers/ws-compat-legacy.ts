/** `ws-compat-legacy`: the deprecated hijack path - router + `HertzUpgrader`. */
import { HertzUpgrader } from '@hertz-node/ws-compat'
import { ECHO_PATH } from './common.js'
import { echo } from '@hertz-node/test-kit/echo'
import { nativeHello, startHertz } from './hertz.js'
import type { StartServer } from './types.js'

export const start: StartServer = (host, port) => startHertz(host, port, (h) => {
  const upgrader = new HertzUpgrader()
  nativeHello(h)
  h.GET(ECHO_PATH, async (_ctx, c) => {
    try {
      await upgrader.upgrade(c, echo)
    } catch {
      // refused: the upgrader already answered with the HTTP error
    }
  })
})
