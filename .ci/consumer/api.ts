// The rest of the public surface a user touches, type-checked under the strictest consumer settings.
import Fastify from 'fastify'
import { server, type Context, type RequestContext } from '@hertz-node/router'
import { hertzFastify } from '@hertz-node/router/fastify'
import * as adaptor from '@hertz-node/adaptor'
import { DefaultDialer, HertzUpgrader, TextMessage, type Conn } from '@hertz-node/ws-compat'

const h = server.Default(server.withHostPorts('127.0.0.1:0'))
h.noHijackConnPool = true
const upgrader = new HertzUpgrader()
h.GET('/legacy', async (_ctx: Context, c: RequestContext) => {
  await upgrader.upgrade(c, async (conn: Conn) => {
    for await (const [mt, message] of conn) await conn.writeMessage(mt, message)
  })
})
h.GET('/node', adaptor.HertzHandler((_req, res) => { res.end('ok') }))

const app = Fastify()
await app.register(hertzFastify, { router: h })

export async function dial (url: string): Promise<string> {
  const [conn] = await DefaultDialer.dial(url)
  await conn.writeMessage(TextMessage, Buffer.from('hi'))
  const [, data] = await conn.readMessage()
  conn.close()
  return data.toString()
}
