/**
 * Connection tests over the real upgraders: one server `Conn` made by the upgrader of `kind` (see
 * matrix.ts) and one `ws` client - or a raw client for malformed input - connected to it.
 */
import { once } from 'node:events'
import type { Socket } from 'node:net'
import WebSocket from 'ws'
import type { Conn } from '../conn/conn.js'
import { startUpgraderServer, type Limits, type UpgraderKind } from './matrix.js'
import { RawClient } from './raw-client.js'
import type { Teardown } from './raw-http.js'

/** Options of {@link pair}. */
export interface PairOptions {
  /** Let the upgrader negotiate permessage-deflate. */
  compression?: boolean
  /** Protocols the upgrader supports. */
  subprotocols?: string[]
  /** Protocols the client asks for. */
  protocols?: string[]
  /** Options for the `ws` client. */
  client?: WebSocket.ClientOptions
  /** `setReadLimit` applied as the upgrader hands the conn over, before anything is read. */
  readLimit?: number
  /** The upgrader's limit fields. */
  limits?: Limits
}

/** A server connection and the client connected to it. */
export interface Pair<C> {
  server: Conn
  client: C
  /** The server's end of the TCP connection. */
  socket: Socket
  port: number
}

/**
 * Starts a server for `kind` and hands out the first connection it accepts, kept open (a `HertzUpgrader`
 * handler that returned would close it) until teardown.
 */
async function serverFor(
  t: Teardown,
  kind: UpgraderKind,
  opts: PairOptions,
): Promise<{ conn: Promise<Conn>; port: number; url: string; socket: () => Socket }> {
  let release!: () => void
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  t.teardown(() => release())
  let resolveConn!: (conn: Conn) => void
  const conn = new Promise<Conn>((resolve) => {
    resolveConn = resolve
  })
  const srv = await startUpgraderServer(t, kind, {
    subprotocols: opts.subprotocols,
    enableCompression: opts.compression ?? false,
    limits: opts.limits,
    onConn: (c) => {
      if (opts.readLimit !== undefined) c.setReadLimit(opts.readLimit)
      resolveConn(c)
      return held
    },
  })
  return { conn, port: srv.port, url: srv.url(), socket: () => srv.sockets[srv.sockets.length - 1]! }
}

/**
 * A server `Conn` from the upgrader of `kind` and a `ws` client; everything is closed at teardown.
 *
 * @param t - the test
 * @param kind - which upgrader makes the connection
 * @param opts - negotiation and client options
 */
export async function pair(t: Teardown, kind: UpgraderKind, opts: PairOptions = {}): Promise<Pair<WebSocket>> {
  const srv = await serverFor(t, kind, opts)
  const client = new WebSocket(srv.url, opts.protocols ?? [], opts.client)
  client.on('error', () => {})
  t.teardown(() => client.terminate())
  await once(client, 'open')
  return { server: await srv.conn, client, socket: srv.socket(), port: srv.port }
}

/**
 * A server `Conn` from the upgrader of `kind` and a {@link RawClient} that has completed the handshake.
 *
 * @param t - the test
 * @param kind - which upgrader makes the connection
 * @param opts - negotiation options
 */
export async function rawPair(t: Teardown, kind: UpgraderKind, opts: PairOptions = {}): Promise<Pair<RawClient>> {
  const srv = await serverFor(t, kind, opts)
  const client = await RawClient.connect(t, srv.port)
  return { server: await srv.conn, client, socket: srv.socket(), port: srv.port }
}

/** The next message a `ws` client receives, as `[data, isBinary]`. */
export async function nextMessage(ws: WebSocket): Promise<[Buffer, boolean]> {
  return (await once(ws, 'message')) as [Buffer, boolean]
}
