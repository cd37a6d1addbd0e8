/**
 * What both upgraders do once a request has passed their checks: agree on a subprotocol and compression,
 * name the WebSocket headers of the 101, and build the connection on the taken socket. The checks, their
 * order and their answers stay with each upgrader: that is where gorilla and hertz-contrib differ.
 */
import type { Duplex } from 'node:stream'
import type { BufferPool } from './buffer-pool.js'
import type { Conn } from './conn.js'
import {
  computeAcceptKey,
  negotiatePermessageDeflate,
  parseSubprotocols,
  selectSubprotocol,
  type DeflateAgreement,
  type SubprotocolPreference,
} from './handshake.js'
import type { NetConn } from './net-conn.js'
import { newServerConn } from './server-conn.js'

/** The fields `Upgrader` and `HertzUpgrader` share: they shape the connections an upgrader makes. */
export interface UpgraderSettings {
  /** Read buffer size in bytes; `0` picks the default. Does not limit message size. */
  readBufferSize: number
  /** Write buffer size in bytes; `0` picks the default. Does not limit message size. */
  writeBufferSize: number
  /** Pool of write buffers shared by connections (gorilla's `BufferPool`; one pool per `writeBufferSize`). */
  writeBufferPool: BufferPool | undefined
  /** Protocols the server supports, in order of preference; each upgrader's field says how one is picked. */
  subprotocols: string[] | undefined
  /** Negotiate permessage-deflate ("no context takeover" only) when the client offers it. */
  enableCompression: boolean
}

/** What the server agreed to with the client. */
export interface Agreement {
  /** The subprotocol, `''` when none. */
  subprotocol: string
  /** The permessage-deflate agreement, or `null` for none. */
  deflate: DeflateAgreement | null
}

/**
 * Agrees on a subprotocol and compression. With `settings.subprotocols` set, the protocol is picked from
 * both lists in `preference`'s order; without, the application's own choice (`appProtocol`) stands.
 *
 * @param settings - the upgrader
 * @param preference - whose order wins: `'client'` (gorilla) or `'server'` (hertz-contrib)
 * @param clientProtocols - the request's `Sec-WebSocket-Protocol`
 * @param clientExtensions - the request's `Sec-WebSocket-Extensions` field lines
 * @param appProtocol - a `Sec-WebSocket-Protocol` the application put on the response, `''` if none
 */
export function agree(
  settings: UpgraderSettings,
  preference: SubprotocolPreference,
  clientProtocols: string | undefined,
  clientExtensions: readonly string[] | string | undefined,
  appProtocol: string,
): Agreement {
  const subprotocol = settings.subprotocols !== undefined
    ? selectSubprotocol(parseSubprotocols(clientProtocols), settings.subprotocols, preference)
    : appProtocol
  const deflate = settings.enableCompression ? negotiatePermessageDeflate(clientExtensions) : null
  return { subprotocol, deflate }
}

/**
 * The WebSocket headers of the 101 for `agreement`, in gorilla's order.
 *
 * @param challengeKey - the request's `Sec-WebSocket-Key`
 * @param agreement - what {@link agree} returned
 */
export function acceptHeaders(challengeKey: string, agreement: Agreement): Array<[name: string, value: string]> {
  const headers: Array<[string, string]> = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', computeAcceptKey(challengeKey)],
  ]
  if (agreement.subprotocol !== '') headers.push(['Sec-WebSocket-Protocol', agreement.subprotocol])
  if (agreement.deflate !== null) headers.push(['Sec-WebSocket-Extensions', agreement.deflate.header])
  return headers
}

/**
 * The server connection on a socket whose 101 has been written.
 *
 * @param settings - the upgrader
 * @param agreement - what {@link agree} returned
 * @param socket - the upgraded socket
 * @param head - bytes read past the request head
 * @param netConn - what `conn.netConn()` returns, when not the socket itself
 */
export function acceptConn(
  settings: UpgraderSettings,
  agreement: Agreement,
  socket: Duplex,
  head: Buffer,
  netConn?: NetConn,
): Conn {
  return newServerConn({
    socket,
    head,
    subprotocol: agreement.subprotocol,
    compression: agreement.deflate?.compression ?? false,
    readBufferSize: settings.readBufferSize,
    writeBufferSize: settings.writeBufferSize,
    writeBufferPool: settings.writeBufferPool,
    netConn,
  })
}
