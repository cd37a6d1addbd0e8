/** `router-adaptor`: the same route as `router`, written as a plain Node handler run by `adaptor.handler`. */
import { handler } from '@hertz-node/adaptor'
import { HELLO_PATH, writeHello } from './common.js'
import { startHertz } from './hertz.js'
import type { StartServer } from './types.js'

export const start: StartServer = (host, port) => startHertz(host, port, (h) => {
  h.GET(HELLO_PATH, handler(writeHello))
})
