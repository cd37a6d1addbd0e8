import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { BufferPool } from './buffer-pool.js'
import { Conn } from './conn.js'
import { defaultCompressionLevel } from './constants.js'
import { zlibOptionsForLevel } from './frame-writer.js'
import type { NetConn } from './net-conn.js'
import { createPerMessageDeflate, type PerMessageDeflate } from './ws-internals.js'

export type { AddressLike, NetConn } from './net-conn.js'

/** The permessage-deflate parameters a handshake agreed on (always without context takeover). */
export interface NegotiatedCompression {
  serverNoContextTakeover: true
  clientNoContextTakeover: true
  serverMaxWindowBits?: number
  clientMaxWindowBits?: number
}

/** What an upgrader hands over once it has written the 101. */
export interface ServerConnOptions {
  /** The upgraded connection. */
  socket: Socket | Duplex
  /** Bytes already read past the handshake (often the client's first frame); never lost. */
  head: Buffer
  /** The negotiated subprotocol, `''` when none. */
  subprotocol: string
  /** The negotiated permessage-deflate parameters, or `false`. */
  compression: false | NegotiatedCompression
  /** Accepted for gorilla parity; Node sockets manage their own read buffer. */
  readBufferSize?: number
  /** Bytes a `nextWriter` stages before it sends a fragment (default 4096). */
  writeBufferSize?: number
  /** Where `nextWriter` takes its buffer from, shared across connections. */
  writeBufferPool?: BufferPool
  /** What `conn.netConn()` returns; by default the socket, with timeouts enforced by the `Conn`. */
  netConn?: NetConn
  /** Initial `setReadLimit` (bytes; `0` = none). */
  readLimit?: number
  /** Bytes of unread messages kept before the socket is paused (default 1 MiB). */
  maxQueuedBytes?: number
}

/**
 * The `PerMessageDeflate` for one side of a connection, with the handshake's parameters already agreed.
 *
 * @param compression - the negotiated parameters
 * @param isServer - which side this is
 * @param readLimit - the initial message size limit
 */
export function acceptedDeflate(
  compression: NegotiatedCompression,
  isServer: boolean,
  readLimit: number,
): PerMessageDeflate {
  const pmd = createPerMessageDeflate(
    {
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      zlibDeflateOptions: zlibOptionsForLevel(defaultCompressionLevel),
    },
    isServer,
    readLimit,
  )
  const params: Record<string, unknown> = { server_no_context_takeover: true, client_no_context_takeover: true }
  if (compression.serverMaxWindowBits !== undefined) params['server_max_window_bits'] = compression.serverMaxWindowBits
  if (compression.clientMaxWindowBits !== undefined) params['client_max_window_bits'] = compression.clientMaxWindowBits
  pmd.params = params
  return pmd
}

/**
 * Builds the server side of a WebSocket connection on a socket whose 101 response has been written.
 * This is the seam both upgraders end in.
 *
 * @param opts - the socket, the bytes read past the handshake, and what the handshake negotiated
 */
export function newServerConn(opts: ServerConnOptions): Conn {
  const readLimit = opts.readLimit ?? 0
  return new Conn({
    socket: opts.socket,
    head: opts.head,
    isServer: true,
    subprotocol: opts.subprotocol,
    pmd: opts.compression === false ? null : acceptedDeflate(opts.compression, true, readLimit),
    writeBufferSize: opts.writeBufferSize,
    writeBufferPool: opts.writeBufferPool,
    netConn: opts.netConn,
    readLimit,
    maxQueuedBytes: opts.maxQueuedBytes,
  })
}
