/** `ws-raw`: bare `ws` on node:http, the WebSocket baseline. */
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { closeServer, ECHO_PATH, echoWebSocket, helloListener, listen } from './common.js'
import type { StartServer } from './types.js'

export const start: StartServer = async (host, port) => {
  const server = createServer(helloListener)
  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== ECHO_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, echoWebSocket)
  })
  const address = await listen(server, host, port)
  return {
    address,
    close: async () => {
      for (const ws of wss.clients) ws.terminate()
      await closeServer(server)
    }
  }
}
