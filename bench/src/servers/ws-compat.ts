/**
 * `ws-compat`: the recommended path - router + `adaptor.handler` + gorilla-style `Upgrader` - with the echo
 * handler of the migration guide (and examples/echo/src/adaptor.ts) as written, less its logging: the read
 * loop is awaited inside the handler, and `c.close()` runs in `finally` (Go's `defer c.Close()`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { handler } from '@hertz-node/adaptor'
import { Upgrader, type Conn } from '@hertz-node/ws-compat'
import { ECHO_PATH } from './common.js'
import { nativeHello, startHertz } from './hertz.js'
import type { StartServer } from './types.js'

const upgrader = new Upgrader() // use default options

async function echo (r: IncomingMessage, w: ServerResponse): Promise<void> {
  let c: Conn
  try {
    c = await upgrader.upgrade(r, w)
  } catch {
    return // upgrade: the Upgrader already answered with the HTTP error
  }
  try {
    for (;;) {
      let mt: number, message: Buffer
      try {
        [mt, message] = await c.readMessage()
      } catch {
        break // read
      }
      try {
        await c.writeMessage(mt, message)
      } catch {
        break // write
      }
    }
  } finally {
    c.close()
  }
}

export const start: StartServer = (host, port) => startHertz(host, port, (h) => {
  nativeHello(h)
  h.GET(ECHO_PATH, handler(echo))
})
