// The README's recommended echo server as a user writes it, the address from ADDR (CI picks a free port).
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { Upgrader } from '@hertz-node/ws-compat'
import type { IncomingMessage, ServerResponse } from 'node:http'

const upgrader = new Upgrader() // use default options

async function echo (req: IncomingMessage, res: ServerResponse): Promise<void> {
  let c
  try {
    c = await upgrader.upgrade(req, res)
  } catch (err) {
    console.log('upgrade:', err)
    return
  }
  try {
    for (;;) {
      const [mt, message] = await c.readMessage()
      await c.writeMessage(mt, message)
    }
  } catch (err) {
    console.log('read:', err)
  } finally {
    c.close()
  }
}

const h = server.New(server.withHostPorts(process.env.ADDR ?? ':8080'))
h.GET('/echo', adaptor.handler(echo))
h.spin()
