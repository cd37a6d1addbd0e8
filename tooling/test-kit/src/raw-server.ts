/**
 * A WebSocket server that answers the handshake with a bare 101 and then does only what the test says, for
 * the `Dialer`'s conns: feed them frames no real server would send, or never read.
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { acceptKey } from './handshake.js'
import type { Teardown } from './teardown.js'

/** A running {@link rawWsServer}. */
export interface RawWsServer {
  /** `ws://127.0.0.1:port/`. */
  url: string
  /** Every chunk the server received after the handshake, in order. */
  received: Buffer[]
}

/**
 * Starts the server on 127.0.0.1 with an ephemeral port; closed, with its sockets, at teardown.
 *
 * @param t - the test
 * @param onSocket - runs with each upgraded socket once the 101 is written
 * @param record - keep what the client sends in `received`; `false` leaves the socket unread
 */
export async function rawWsServer (t: Teardown, onSocket: (socket: Socket) => void, record = true): Promise<RawWsServer> {
  const received: Buffer[] = []
  const sockets: Socket[] = []
  const server = createServer()
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    if (record) socket.on('data', (chunk: Buffer) => received.push(chunk))
    else socket.pause()
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${acceptKey(req.headers['sec-websocket-key'] as string)}\r\n\r\n`
    )
    onSocket(socket)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, received }
}
