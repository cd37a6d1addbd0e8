/** `router`: @hertz-node/router, native handler (`c.json`). */
import { startHertz } from './hertz.js'
import type { StartServer } from './types.js'

export const start: StartServer = (host, port) => startHertz(host, port)
