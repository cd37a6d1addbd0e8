/**
 * The `server-conn-on-node-http` path: a `node:http` server whose `'upgrade'` handler writes a minimal
 * RFC 6455 101 itself and builds the connection with `newServerConn` - the connection layer without any
 * upgrader in front of it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { once } from 'node:events'
import type { Duplex } from 'node:stream'
import { newServerConn, type Conn, type ServerConnOptions } from '@hertz-node/ws-compat'
import { acceptKey } from './handshake.js'
import type { Teardown } from './teardown.js'

/** Options of {@link startServer}. */
export interface TestServerOptions {
  /** Accept permessage-deflate when the client offers it. */
  compression?: boolean
  /** Protocols the server supports. */
  subprotocols?: string[]
  /** Extra options for `newServerConn`. */
  conn?: Partial<Omit<ServerConnOptions, 'socket' | 'head' | 'subprotocol' | 'compression'>>
}

/** A running test server. */
export interface TestServer {
  server: Server
  port: number
  url: string
  /** Every connection built so far, in order. */
  conns: Conn[]
  /** The upgraded sockets under `conns`, in the same order. */
  sockets: Duplex[]
}

/**
 * Starts a WebSocket server on 127.0.0.1 with an ephemeral port; everything is closed in `t.teardown`.
 *
 * @param t - the test
 * @param onConn - called with each new connection
 * @param opts - compression, subprotocols and connection options
 */
export async function startServer (
  t: Teardown,
  onConn: (conn: Conn, req: IncomingMessage) => unknown,
  opts: TestServerOptions = {}
): Promise<TestServer> {
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('upgrade required')
  })
  const sockets = new Set<Duplex>()
  const conns: Conn[] = []
  const upgraded: Duplex[] = []
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {})
    const key = req.headers['sec-websocket-key']
    if (typeof key !== 'string') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const lines = [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${acceptKey(key)}`,
    ]
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())
    const subprotocol = opts.subprotocols?.find((p) => offered.includes(p)) ?? ''
    if (subprotocol !== '') lines.push(`Sec-WebSocket-Protocol: ${subprotocol}`)
    const wantsDeflate = (req.headers['sec-websocket-extensions'] ?? '').includes('permessage-deflate')
    const compression = opts.compression === true && wantsDeflate
    if (compression) {
      lines.push('Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover')
    }
    socket.write(`${lines.join('\r\n')}\r\n\r\n`)
    const conn = newServerConn({
      socket,
      head,
      subprotocol,
      compression: compression ? { serverNoContextTakeover: true, clientNoContextTakeover: true } : false,
      ...opts.conn,
    })
    conns.push(conn)
    upgraded.push(socket)
    onConn(conn, req)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  const { port } = server.address() as AddressInfo
  return { server, port, url: `ws://127.0.0.1:${port}/`, conns, sockets: upgraded }
}
