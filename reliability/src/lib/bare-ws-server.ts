/**
 * The `bare-ws` reference server: plain `ws` on `node:http`, no code of ours. It validates the suite's own tools
 * (a tool that fails against `ws` is a tool bug, not a finding) and is the yardstick the two paths
 * under test are compared with.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { AppOptions, ServerUnderTest } from './app-types.js'

/** Starts the reference echo server on an ephemeral port. */
export async function startBareWs (opts: AppOptions = {}): Promise<ServerUnderTest> {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.readLimit ?? 100 * 1024 * 1024,
    // ws treats a missing verifyClient as "accept any origin"; give it the same-origin rule the paths share.
    verifyClient: ({ origin, req }: { origin: string, req: http.IncomingMessage }) => sameOrigin(origin, req.headers.host)
  })
  const live = new Set<WebSocket>()
  const handlerErrors: unknown[] = []
  const server = http.createServer((req, res) => {
    if (req.url === '/http') {
      res.end('ok')
      return
    }
    res.statusCode = 404
    res.end('Not Found')
  })
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== opts.wsPath && req.url !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 9\r\n\r\nNot Found')
      return
    }
    wss.handleUpgrade(req, socket, head, ws => {
      live.add(ws)
      ws.on('error', err => handlerErrors.push(err))
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
      ws.on('close', () => live.delete(ws))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    name: 'bare-ws',
    port,
    host: `127.0.0.1:${port}`,
    wsPath: '/ws',
    handlerErrors,
    upgradeErrors: [],
    liveConns: () => live.size,
    release: () => {},
    flooded: () => 0,
    emitters: { server },
    close: async () => {
      for (const ws of live) ws.terminate()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
      wss.close()
    }
  }
}

function sameOrigin (origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || origin === '') return true
  try {
    return new URL(origin).host.toLowerCase() === (host ?? '').toLowerCase()
  } catch {
    return false
  }
}
