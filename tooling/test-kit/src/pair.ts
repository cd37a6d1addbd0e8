/**
 * Connection tests: one server `Conn` made on the path `kind` (an upgrader of matrix.ts, or `newServerConn`
 * alone) and one `ws` client - or a raw client for malformed input - connected to it.
 */
import { once } from 'node:events'
import type { Socket } from 'node:net'
import WebSocket from 'ws'
import type { Conn } from '@hertz-node/ws-compat'
import { startServer, type TestServerOptions } from './conn-server.js'
import { startUpgraderServer, type Limits, type UpgraderKind } from './matrix.js'
import { RawClient } from './raw-client.js'
import type { Teardown } from './teardown.js'

/** The paths {@link pair} builds a connection on: an upgrader's, or `newServerConn` alone. */
export type PairKind = UpgraderKind | 'server-conn-on-node-http'

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
  /** `setReadLimit` applied as the upgrader hands the conn over, before anything is read (upgrader kinds). */
  readLimit?: number
  /** The upgrader's limit fields (upgrader kinds). */
  limits?: Limits
  /** Extra `newServerConn` options (`server-conn-on-node-http` only). */
  conn?: TestServerOptions['conn']
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
async function serverFor (
  t: Teardown,
  kind: UpgraderKind,
  opts: PairOptions
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
 * A server `Conn` made on the path `kind` and a `ws` client; everything is closed at teardown.
 *
 * @param t - the test
 * @param kind - which upgrader makes the connection
 * @param opts - negotiation and client options
 */
export async function pair (t: Teardown, kind: PairKind, opts: PairOptions = {}): Promise<Pair<WebSocket>> {
  if (kind === 'server-conn-on-node-http') return serverConnPair(t, opts)
  const srv = await serverFor(t, kind, opts)
  const client = await openClient(t, srv.url, opts)
  return { server: await srv.conn, client, socket: srv.socket(), port: srv.port }
}

/** {@link pair} on `server-conn-on-node-http`: the server has no handler, so the conn stays open until teardown. */
async function serverConnPair (t: Teardown, opts: PairOptions): Promise<Pair<WebSocket>> {
  const srv = await startServer(t, () => {}, { compression: opts.compression, subprotocols: opts.subprotocols, conn: opts.conn })
  const client = await openClient(t, srv.url, opts)
  return { server: srv.conns[0] as Conn, client, socket: srv.sockets[0] as Socket, port: srv.port }
}

/** A `ws` client connected to `url`; terminated at teardown. */
async function openClient (t: Teardown, url: string, opts: PairOptions): Promise<WebSocket> {
  const client = new WebSocket(url, opts.protocols ?? [], opts.client)
  client.on('error', () => {})
  t.teardown(() => client.terminate())
  await once(client, 'open')
  return client
}

/**
 * A server `Conn` from the upgrader of `kind` and a {@link RawClient} that has completed the handshake.
 *
 * @param t - the test
 * @param kind - which upgrader makes the connection
 * @param opts - negotiation options
 */
export async function rawPair (t: Teardown, kind: UpgraderKind, opts: PairOptions = {}): Promise<Pair<RawClient>> {
  const srv = await serverFor(t, kind, opts)
  const client = await RawClient.connect(t, srv.port)
  return { server: await srv.conn, client, socket: srv.socket(), port: srv.port }
}

/** The next message a `ws` client receives, as `[data, isBinary]`. */
export async function nextMessage (ws: WebSocket): Promise<[Buffer, boolean]> {
  return (await once(ws, 'message')) as [Buffer, boolean]
}
