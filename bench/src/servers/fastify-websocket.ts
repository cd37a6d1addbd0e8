/** `fastify-websocket`: fastify + @fastify/websocket, the plugin most fastify users reach for. */
import websocket from '@fastify/websocket'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { ECHO_PATH, echoWebSocket, HELLO, HELLO_PATH, HELLO_SCHEMA } from './common.js'
import type { StartServer } from './types.js'

export const start: StartServer = async (host, port) => {
  const app = Fastify({ logger: false })
  await app.register(websocket)
  app.get(HELLO_PATH, { schema: HELLO_SCHEMA }, (_req, reply) => { reply.send(HELLO) })
  app.get(ECHO_PATH, { websocket: true }, (socket) => { echoWebSocket(socket) })
  await app.listen({ host, port })
  return {
    address: app.server.address() as AddressInfo,
    close: async () => {
      for (const ws of app.websocketServer.clients) ws.terminate()
      await app.close()
    }
  }
}
