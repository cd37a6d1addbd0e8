/**
 * `router-ws` (diagnostic, run only when named): the router and `adaptor.handler` in front of bare `ws` -
 * the handler hijacks the socket and hands it to `ws`'s own `handleUpgrade`, and `ws` echoes as in `ws-raw`.
 * It prices the HTTP layer an upgrade goes through, without ws-compat's Upgrader and Conn.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { handler, hijack } from '@hertz-node/adaptor'
import { WebSocketServer } from 'ws'
import { ECHO_PATH, echoWebSocket } from './common.js'
import { startHertz, nativeHello } from './hertz.js'
import type { StartServer } from './types.js'

export const start: StartServer = async (host, port) => {
  const wss = new WebSocketServer({ noServer: true })
  const echo = (req: IncomingMessage, res: ServerResponse): void => {
    const { socket, head } = hijack(res)
    // The hijacked socket is node:http's own net.Socket: ws takes it as its 'upgrade' event would give it.
    wss.handleUpgrade(req, socket as Socket, head, echoWebSocket)
  }
  const running = await startHertz(host, port, (h) => {
    nativeHello(h)
    h.GET(ECHO_PATH, handler(echo))
  })
  return {
    address: running.address,
    close: async () => {
      for (const ws of wss.clients) ws.terminate()
      await running.close()
    }
  }
}
