/** `ws-raw`: bare `ws` + node:http, the WebSocket baseline. */
import { echoWebSocket, startBareWs } from './common.js'
import type { StartServer } from './types.js'

export const start: StartServer = (host, port) => startBareWs(host, port, echoWebSocket)
