import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { onSocketShutdown } from '@hertz-node/adaptor'
import type { BufferPool } from '../conn/buffer-pool.js'
import { formatCloseMessage } from '../conn/close-error.js'
import { Conn } from '../conn/conn.js'
import { CloseGoingAway, CloseMessage, writeWait } from '../constants.js'
import type { NegotiatedCompression } from '../conn/compression.js'
import type { NetConn } from '../conn/net-conn.js'
import type { TimeoutOf } from '../errors.js'
import { linkOf } from '../conn/socket-link.js'

export type { AddressLike, NetConn } from '../conn/net-conn.js'
export type { NegotiatedCompression } from '../conn/compression.js'

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
  /** Accepted so that gorilla option sets port unchanged; no effect: Node reads sockets into buffers of its own. */
  readBufferSize?: number
  /** Bytes a `nextWriter` stages before it sends a fragment (default 4096). */
  writeBufferSize?: number
  /** Where `nextWriter` takes its buffer from, shared across connections. */
  writeBufferPool?: BufferPool
  /** What `conn.netConn()` returns; by default the socket, with timeouts enforced by the `Conn`. */
  netConn?: NetConn
  /** Initial `setReadLimit` in bytes; default `defaultReadLimit` (100 MiB), `0` for none. */
  readLimit?: number
  /** Bytes of unread messages kept before the socket is paused (default 1 MiB). */
  maxQueuedBytes?: number
  /** Frames one message may arrive in (default `defaultMaxFragments`, 16384; `0` for none); past it, close 1008. */
  maxFragments?: number
  /** Socket chunks one frame may be buffered in (default `defaultMaxBufferedChunks`, 262144; `0` for none); past it, close 1008. */
  maxBufferedChunks?: number
  /**
   * Bytes of writes not yet taken by the kernel before further writes are refused with
   * `WS_COMPAT_ERR_WRITE_QUEUE_FULL` (default `defaultMaxWriteQueueBytes`, 16 MiB; `0` for none).
   */
  maxWriteQueueBytes?: number
}

/**
 * Builds the server side of a WebSocket connection on a socket whose 101 response has been written.
 * This is the seam both upgraders end in.
 *
 * @param opts - the socket, the bytes read past the handshake, and what the handshake negotiated
 */
export function newServerConn (opts: ServerConnOptions): Conn {
  return openServerConn(opts, undefined)
}

/**
 * {@link newServerConn}, for a connection below whose own timeouts destroy the socket (the legacy upgrader's).
 *
 * @param opts - as for `newServerConn`
 * @param timeoutOf - recognises those timeouts in the socket's error
 */
export function openServerConn (opts: ServerConnOptions, timeoutOf: TimeoutOf | undefined): Conn {
  const conn = new Conn({
    socket: opts.socket,
    head: opts.head,
    isServer: true,
    subprotocol: opts.subprotocol,
    compression: opts.compression,
    writeBufferSize: opts.writeBufferSize,
    writeBufferPool: opts.writeBufferPool,
    netConn: opts.netConn,
    readLimit: opts.readLimit,
    maxQueuedBytes: opts.maxQueuedBytes,
    maxFragments: opts.maxFragments,
    maxBufferedChunks: opts.maxBufferedChunks,
    maxWriteQueueBytes: opts.maxWriteQueueBytes,
    timeoutOf,
  })
  // When the server shuts down gracefully, the connection is closed with 1001 "going away", not cut.
  onSocketShutdown(opts.socket, goingAway)
  return conn
}

/**
 * Sends a close frame 1001 through the conn's control-frame path, then waits for the peer to answer and the
 * socket to close - at most `writeWait` ms, after which the server closes the socket itself. One function for
 * every connection: the conn's write side is found through the socket.
 *
 * @param socket - the connection's socket
 */
function goingAway (socket: Duplex): Promise<void> {
  const output = linkOf(socket)?.output
  if (socket.destroyed || output == null) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      socket.removeListener('close', done)
      resolve()
    }
    const timer = setTimeout(done, writeWait)
    socket.once('close', done)
    // A close frame the application already sent makes this reject: the peer's answer is still worth waiting for.
    output.writeControl(CloseMessage, formatCloseMessage(CloseGoingAway), Date.now() + writeWait).catch(() => {})
  })
}
