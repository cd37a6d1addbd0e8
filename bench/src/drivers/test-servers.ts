/**
 * In-process WebSocket servers for the driver tests: a correct echo and deliberately wrong
 * ones, each on an ephemeral loopback port.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'

/** How the test server treats message `n` (0-based, per connection) of a socket. */
export type Behaviour = (ws: WebSocket, data: RawData, isBinary: boolean, n: number) => void

/** Echo with the type, as the contract says. */
export const correct: Behaviour = (ws, data, isBinary) => ws.send(data as Buffer, { binary: isBinary })

/** Starts a ws server on 127.0.0.1:0 answering every upgrade with `behaviour`; returns its ws URL and a closer. */
export async function wsTestServer (behaviour: Behaviour, onConnection?: (ws: WebSocket) => void): Promise<{ url: string, close: () => Promise<void> }> {
  const server = createServer((_req, res) => { res.statusCode = 404; res.end() })
  const wss = new WebSocketServer({ server })
  wss.on('connection', (ws) => {
    let n = 0
    ws.on('message', (data, isBinary) => behaviour(ws, data, isBinary, n++))
    onConnection?.(ws)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}/echo`,
    close: () => new Promise((resolve) => {
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}
