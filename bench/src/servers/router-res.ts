/**
 * `router-res` (diagnostic): `router-adaptor`'s Node handler, called by a native router handler on the request and
 * response node:http gave the router, after the one header the adaptor must add (`Server: hertz`, as every router
 * answer has it), with no adaptor in between: the same bytes on the wire as `router-adaptor`. What
 * `router-adaptor` costs over it is the adaptor's own work; what it costs over `router` is the handler writing
 * its head through node:http's `setHeader` path instead of the router's flat header list.
 */
import { HELLO_PATH, writeHello } from './common.js'
import { startHertz } from './hertz.js'
import type { StartServer } from './types.js'

export const start: StartServer = (host, port) => startHertz(host, port, (h) => {
  h.GET(HELLO_PATH, (_ctx, c) => {
    c.res.setHeader('Server', 'hertz')
    writeHello(c.req, c.res)
  })
})
