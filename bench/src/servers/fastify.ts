/** `fastify`: fastify with a response schema, as in fastify's own benchmark. */
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { HELLO, HELLO_PATH, HELLO_SCHEMA } from './common.js'
import type { StartServer } from './types.js'

export const start: StartServer = async (host, port) => {
  const app = Fastify({ logger: false })
  app.get(HELLO_PATH, { schema: HELLO_SCHEMA }, (_req, reply) => { reply.send(HELLO) })
  await app.listen({ host, port })
  return { address: app.server.address() as AddressInfo, close: () => app.close() }
}
