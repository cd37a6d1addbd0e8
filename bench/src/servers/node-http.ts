/** `node-http`: bare node:http, the HTTP baseline. */
import { createServer } from 'node:http'
import { closeServer, helloListener, listen } from './common.js'
import type { StartServer } from './types.js'

export const start: StartServer = async (host, port) => {
  const server = createServer(helloListener)
  const address = await listen(server, host, port)
  return { address, close: () => closeServer(server) }
}
