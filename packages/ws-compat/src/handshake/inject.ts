import type { Duplex } from 'node:stream'
import type { Conn } from '../conn/conn.js'
import { Dialer, type DialerOptions, type RequestHeader } from './dialer.js'

// WebSocket tests without a port (@fastify/websocket's `injectWS`): the router opens an in-memory connection
// (`h.injectConnection()`) and the Dialer runs the client handshake over it. The router cannot build a ws-compat
// Conn itself (its imports point down only), so the client side lives here and takes the router by what it offers.

/** What `injectWS` needs of a server: an in-memory connection to it (a router engine is one). */
export interface InMemoryServer {
  /** Opens an in-memory connection to the server: the client's end of it. */
  injectConnection(): Promise<Duplex>
}

/** {@link injectWS}'s options: the request's `headers` and the {@link Dialer}'s fields (subprotocols, compression, limits). */
export interface InjectWSOptions extends Omit<DialerOptions, 'netDial' | 'tlsClientConfig'> {
  /** Extra request headers (`Origin`, `Cookie`, `Sec-WebSocket-Protocol`...; `Host` overrides `localhost`). */
  headers?: RequestHeader
}

/**
 * Opens a client {@link Conn} to the WebSocket route at `path` of `h`, in memory: no socket is opened and `h` need
 * not run (its plugins load first). Both server paths work: `HertzUpgrader` in a router handler, and `Upgrader`
 * through `adaptor.handler`.
 *
 * ```ts
 * const conn = await injectWS(h, '/echo')
 * await conn.writeMessage(TextMessage, 'hi')
 * ```
 *
 * @param h - the router engine (anything with `injectConnection()`)
 * @param path - the request target, `/` by default (a query string may follow)
 * @param opts - request headers and Dialer options
 * @returns the client connection
 * @throws WsCompatError `WS_COMPAT_ERR_BAD_HANDSHAKE` (rejection) when the route refuses: `err.status` is the
 *   answer's status, `err.body` (up to 1024 bytes) its body, `err.response` the response; the connection's
 *   `HERTZ_ERR_PLUGIN_*` error when a plugin of `h` fails to load
 */
export async function injectWS (h: InMemoryServer, path = '/', opts: InjectWSOptions = {}): Promise<Conn> {
  const { headers, ...dialerOpts } = opts
  const socket = await h.injectConnection()
  const dialer = new Dialer({ handshakeTimeout: 0, ...dialerOpts, netDial: () => socket })
  try {
    const [conn] = await dialer.dial(`ws://localhost${path.startsWith('/') ? '' : '/'}${path}`, headers)
    return conn
  } catch (err) {
    socket.destroy()
    throw err
  }
}
