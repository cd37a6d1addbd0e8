/**
 * Pieces every variant shares, so the variants differ only in the stack under test:
 * the same JSON for `GET /hello`, the same echo rule for `/echo`, the same listen/close.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { RunningServer } from './types.js'

/** The object every variant answers `GET /hello` with. */
export const HELLO = { hello: 'world' }

/** `HELLO` as it must appear on the wire. */
export const HELLO_BODY = JSON.stringify(HELLO)

/** The content type the bare node:http variants send (the one fastify sends). */
export const JSON_TYPE = 'application/json; charset=utf-8'

/** fastify's response schema for `HELLO` (lets fastify serialize with fast-json-stringify). */
export const HELLO_SCHEMA = {
  response: { 200: { type: 'object', properties: { hello: { type: 'string' } } } }
}

/** The path of the echo endpoint of the WebSocket variants. */
export const ECHO_PATH = '/echo'

/** The path of the JSON endpoint of every variant. */
export const HELLO_PATH = '/hello'

/**
 * The bare node:http request listener: `GET /hello` as fastify's own benchmark writes it
 * (stringify on every request), 404 for anything else.
 */
export function helloListener (req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET' && req.url === HELLO_PATH) return writeHello(req, res)
  res.statusCode = 404
  res.end()
}

/** Writes the `/hello` answer on a Node response (a plain Node handler, as the adaptor runs it). */
export function writeHello (_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', JSON_TYPE)
  res.end(JSON.stringify(HELLO))
}

// Constant option objects: ws copies them, so sharing avoids one allocation per echo.
const AS_BINARY = { binary: true }
const AS_TEXT = { binary: false }

/** The `ws.send` options that keep a message's type, shared rather than made per echo. */
export function sendOptions (isBinary: boolean): { binary: boolean } {
  return isBinary ? AS_BINARY : AS_TEXT
}

/** `this`-bound listener, so attaching it costs no closure per connection. */
function echoMessage (this: WebSocket, data: RawData, isBinary: boolean): void {
  this.send(data as Buffer, sendOptions(isBinary))
}

/** For a `ws` socket's `'error'`. */
export function ignoreError (): void {
  // A client that vanishes mid-frame is normal under load; ws closes the socket itself.
}

/** Echoes every message of a `ws` socket with its type (the ws-raw and fastify-websocket rule). */
export function echoWebSocket (ws: WebSocket): void {
  ws.on('message', echoMessage)
  ws.on('error', ignoreError)
}

/** `server.listen` as a Promise of the bound address. */
export function listen (server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(server.address() as AddressInfo)
    })
  })
}

/** Closes a node:http server and its HTTP connections (upgraded sockets are the caller's). */
export function closeServer (server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/**
 * Bare `ws` on node:http: `GET /hello`, and `/echo` upgraded by `ws` and handed to `onSocket` (the ws-raw
 * baselines differ only in that function).
 */
export async function startBareWs (host: string, port: number, onSocket: (ws: WebSocket) => void): Promise<RunningServer> {
  const server = createServer(helloListener)
  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== ECHO_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, onSocket)
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
