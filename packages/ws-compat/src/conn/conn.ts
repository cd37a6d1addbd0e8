import { Readable, type Duplex } from 'node:stream'
import type { BufferPool } from './buffer-pool.js'
import { isCloseError } from './close-error.js'
import { CloseGoingAway, CloseNoStatusReceived, CloseNormalClosure, TextMessage, writeWait } from '../constants.js'
import { deadlineMs, type Data } from './data.js'
import { newPerMessageDeflate, sendWindowBits, type NegotiatedCompression } from './compression.js'
import { deferredConnClosed, type TimeoutOf } from '../errors.js'
import { Input, type CloseHandler, type ControlHandler } from './input.js'
import { decodeJSON, encodeJSON } from './json.js'
import type { MessageWriter } from './message-writer.js'
import { SocketNetConn, type AddressLike, type NetConn } from './net-conn.js'
import { Output } from './output.js'
import { SocketLink } from './socket-link.js'
import type { PreparedMessage } from './prepared.js'
import type { Message } from './read-queue.js'

export type { CloseHandler, ControlHandler } from './input.js'

/** The longest wait for queued frames to reach the socket before a connection below is closed anyway. */
const flushWait = 10 * writeWait

/** Closes a connection below; one already released by the router has nothing left to close. */
function closeQuietly (net: NetConn): void {
  try {
    net.close()
  } catch {
    // released or closed already: the router closed it when the hijack handler settled
  }
}

/** How a connection is built: by `newServerConn` (both upgraders end there) and the `Dialer`. */
export interface ConnInit {
  socket: Duplex
  head: Buffer
  isServer: boolean
  subprotocol: string
  compression: NegotiatedCompression | false
  writeBufferSize?: number | undefined
  writeBufferPool?: BufferPool | undefined
  netConn?: NetConn | undefined
  /** Initial read limit; `defaultReadLimit` when undefined, `0` for none. */
  readLimit?: number | undefined
  /** Recognises the timeouts of `netConn` in the errors it destroys the socket with. */
  timeoutOf?: TimeoutOf | undefined
  maxQueuedBytes?: number | undefined
  maxFragments?: number | undefined
  maxBufferedChunks?: number | undefined
  maxWriteQueueBytes?: number | undefined
}

/** Reads a conn's write side for {@link connFlushed}; set in `Conn`'s static block, where `#output` is in reach. */
let flushedOf: (conn: Conn) => Promise<void> | undefined

/**
 * A WebSocket connection with gorilla/websocket's API, for both upgraders and the `Dialer`.
 *
 * Reading: messages are parsed as they arrive and queued until `readMessage` takes them, so nothing sent
 * before the first read is lost. The queue is bounded (1 MiB by default): when it is full the socket is
 * paused and TCP flow control slows the peer down. Messages are limited to 100 MiB unless `setReadLimit`
 * says otherwise. Ping and pong handlers run as the frames arrive (gorilla runs them inside a read; here
 * no read is needed for a ping to be answered). A close frame, like a protocol error, is handled as in
 * gorilla when the reader reaches it, so the application can still answer the messages that came before.
 *
 * Writing departs from gorilla's one-writer rule on purpose: `writeMessage`, `writeJSON`,
 * `writePreparedMessage` and `writeControl` may be called concurrently, and messages go out in call
 * order. A writer from `nextWriter` holds the data channel until it is closed; data writes requested
 * meanwhile wait behind it (control frames may go between its fragments, as RFC 6455 allows).
 *
 * `close()` sends no close frame, as gorilla's `Close`. For a clean close, send one first:
 * `await conn.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, ''))`; `close()` then lets
 * it reach the peer instead of resetting the connection.
 */
export class Conn implements AsyncIterable<Message> {
  readonly #protocol: string
  readonly #socket: Duplex
  /** What `netConn()` returns; the socket's own is made on first use. */
  #net: NetConn | null
  readonly #input: Input
  readonly #output: Output
  readonly #link: SocketLink
  /** `#net` is the socket itself, closed by this conn (not a connection below, such as the router's). */
  readonly #ownNet: boolean
  #closed = false

  static {
    flushedOf = (conn) => conn.#output.flushing(flushWait)
  }

  /**
   * Made by an upgrader, `newServerConn` or a `Dialer`; not meant to be called directly.
   * @param init - the socket and what the handshake negotiated
   */
  constructor (init: ConnInit) {
    const socket = init.socket
    const pmd = init.compression === false ? null : newPerMessageDeflate(init.compression, init.isServer)
    const link = new SocketLink(socket)
    this.#link = link
    this.#protocol = init.subprotocol
    this.#output = new Output({
      socket,
      isServer: init.isServer,
      pmd,
      windowBits: init.compression === false ? 15 : sendWindowBits(init.compression, init.isServer),
      writeBufferSize: init.writeBufferSize,
      writeBufferPool: init.writeBufferPool,
      maxWriteQueueBytes: init.maxWriteQueueBytes,
      timeoutOf: init.timeoutOf,
      link,
    })
    this.#input = new Input({
      socket,
      isServer: init.isServer,
      pmd,
      readLimit: init.readLimit,
      maxQueuedBytes: init.maxQueuedBytes,
      maxFragments: init.maxFragments,
      maxBufferedChunks: init.maxBufferedChunks,
      timeoutOf: init.timeoutOf,
      output: this.#output,
      link,
    })
    this.#socket = socket
    this.#ownNet = init.netConn === undefined
    this.#net = init.netConn ?? null
    link.attach(this.#input, this.#output, init.head)
  }

  // ---------------------------------------------------------------- reading

  /**
   * The next data message: `[TextMessage | BinaryMessage, payload]`. Rejects with a `CloseError`
   * when the peer closed (code 1006 "unexpected EOF" when it vanished without a close frame), or with a
   * `WsCompatError` (`ErrReadLimit`, protocol, timeout...). Once it rejects, every later call rejects
   * with the same error: leave the read loop.
   */
  readMessage (): Promise<Message> {
    return this.#input.queue.read()
  }

  /**
   * The next data message as a stream (gorilla's `NextReader`). The message is complete when it is
   * returned, so the stream never waits on the network.
   */
  async nextReader (): Promise<[messageType: number, reader: Readable]> {
    const [messageType, data] = await this.#input.queue.read()
    return [messageType, Readable.from([data], { objectMode: false })]
  }

  /**
   * Reads the next message and parses it as JSON (gorilla's `ReadJSON`).
   * Rejects with `WS_COMPAT_ERR_INVALID_JSON` when it is not JSON; the connection stays usable.
   */
  async readJSON<T = unknown>(): Promise<T> {
    const [, data] = await this.#input.queue.read()
    return decodeJSON(data) as T
  }

  /**
   * Iterates over the data messages until the peer closes. A close with 1000, 1001 or no status ends the
   * loop; any other end (1006, a protocol error, a timeout) is thrown.
   */
  async * [Symbol.asyncIterator] (): AsyncIterator<Message> {
    for (;;) {
      try {
        yield await this.#input.queue.read()
      } catch (err) {
        if (isCloseError(err, CloseNormalClosure, CloseGoingAway, CloseNoStatusReceived)) return
        throw err
      }
    }
  }

  /**
   * Sets the read deadline (a `Date` or ms since the epoch; `0`/`null` clears it). A read still waiting
   * at the deadline fails with `WS_COMPAT_ERR_READ_TIMEOUT`, and so does every later read: after a read
   * timeout the connection can only be closed.
   */
  setReadDeadline (t: Date | number | null): void {
    this.#input.queue.setDeadline(deadlineMs(t))
  }

  /**
   * Sets the largest message, in bytes, the peer may send; `0` removes the limit. A larger message (its
   * announced length is enough: nothing of it is buffered) gets the peer a close 1009 and fails the read
   * with `ErrReadLimit`. Compressed messages are measured inflated.
   *
   * The default is `defaultReadLimit` (100 MiB, `ws`'s `maxPayload`), where gorilla has no limit.
   */
  setReadLimit (limit: number): void {
    this.#input.setReadLimit(limit)
  }

  /**
   * Sets the ping handler; `null` restores the default, which answers with a pong of the same bytes and returns
   * that write's promise (a wrapper that returns it fails the reads with the write's error, as in gorilla).
   * `appData` is a `Buffer` (see {@link ControlHandler}).
   */
  setPingHandler (h: ControlHandler | null): void {
    this.#input.setPingHandler(h)
  }

  /** The current ping handler. */
  pingHandler (): ControlHandler {
    return this.#input.pingHandler()
  }

  /** Sets the pong handler; `null` restores the default, which does nothing. `appData` is a `Buffer`. */
  setPongHandler (h: ControlHandler | null): void {
    this.#input.setPongHandler(h)
  }

  /** The current pong handler. */
  pongHandler (): ControlHandler {
    return this.#input.pongHandler()
  }

  /**
   * Sets the close handler; `null` restores the default, which answers with a close frame carrying the
   * same code. It runs when a read reaches the close frame; that read rejects with the `CloseError`.
   */
  setCloseHandler (h: CloseHandler | null): void {
    this.#input.setCloseHandler(h)
  }

  /** The current close handler. */
  closeHandler (): CloseHandler {
    return this.#input.closeHandler()
  }

  // ---------------------------------------------------------------- writing

  /**
   * Sends a message. `messageType` is any of the five types; data messages are compressed when that was
   * negotiated and `enableWriteCompression` allows it. Resolves when the socket took the bytes: at once when
   * the kernel accepted them, else once the socket has drained them. Rejects with `ErrCloseSent` after a
   * close frame, with a write timeout past the write deadline, or with the socket's error (a failure the
   * kernel reports later fails the next write, as in Go). Concurrent calls are safe and keep their order.
   * Writes are not awaited for you: when the bytes the kernel has not taken yet would exceed
   * `maxWriteQueueBytes` (16 MiB by default), the write is refused with `WS_COMPAT_ERR_WRITE_QUEUE_FULL` and
   * nothing is sent; the connection stays usable. An empty queue takes a message of any size, and a close
   * frame always goes.
   *
   * @param messageType - `TextMessage`, `BinaryMessage`, `CloseMessage`, `PingMessage` or `PongMessage`
   * @param data - the payload (a string is sent as UTF-8)
   */
  writeMessage (messageType: number, data: Data): Promise<void> {
    return this.#output.writeMessage(messageType, data)
  }

  /**
   * Sends a control frame with its own deadline (gorilla's `WriteControl`): it does not wait for a
   * writer that is open, and may be called concurrently with anything.
   *
   * @param messageType - `CloseMessage`, `PingMessage` or `PongMessage`
   * @param data - at most 125 bytes
   * @param deadline - a `Date` or ms since the epoch; `0`/`null` for none
   */
  writeControl (messageType: number, data: Data, deadline?: Date | number | null): Promise<void> {
    return this.#output.writeControl(messageType, data, deadlineMs(deadline))
  }

  /**
   * A writer for the next message (gorilla's `NextWriter`). It holds the data channel until `close()`:
   * other data writes wait behind it, and `nextWriter` itself waits for an open writer to be closed.
   *
   * @param messageType - any of the five message types
   */
  nextWriter (messageType: number): Promise<MessageWriter> {
    return this.#output.nextWriter(messageType)
  }

  /** Sends `v` as a JSON text message (with gorilla's trailing newline). */
  writeJSON (v: unknown): Promise<void> {
    let text: string
    try {
      text = encodeJSON(v)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.writeMessage(TextMessage, text)
  }

  /**
   * Sends a prepared message: its payload, compressed once per compression setting, is shared by every
   * connection it is sent to.
   *
   * @param pm - the message
   */
  writePreparedMessage (pm: PreparedMessage): Promise<void> {
    return this.#output.writePreparedMessage(pm)
  }

  /**
   * Sets the write deadline (a `Date` or ms since the epoch; `0`/`null` clears it). A write the socket
   * has not taken by then fails with `WS_COMPAT_ERR_WRITE_TIMEOUT`, and so does every later write.
   */
  setWriteDeadline (t: Date | number | null): void {
    this.#output.setDeadline(deadlineMs(t))
  }

  /** Turns compression of later data messages on or off; no effect unless compression was negotiated. */
  enableWriteCompression (enable: boolean): void {
    this.#output.enableCompression(enable)
  }

  /**
   * Sets the deflate level of later messages: -2 (Huffman only), -1 (zlib default), 0 (store) to 9
   * (best). Throws `WS_COMPAT_ERR_INVALID_COMPRESSION_LEVEL` for anything else.
   */
  setCompressionLevel (level: number): void {
    this.#output.setCompressionLevel(level)
  }

  // ---------------------------------------------------------------- connection

  /** The negotiated subprotocol, `''` when none. */
  subprotocol (): string {
    return this.#protocol
  }

  /** The local address. */
  localAddr (): AddressLike {
    return this.netConn().localAddr()
  }

  /** The peer's address. */
  remoteAddr (): AddressLike {
    return this.netConn().remoteAddr()
  }

  /**
   * The connection under the WebSocket, with `setReadTimeout(ms)` / `setWriteTimeout(ms)`. Reading or
   * writing it directly corrupts the WebSocket stream.
   */
  netConn (): NetConn {
    this.#net ??= new SocketNetConn(this.#socket, this.#input.queue, this.#output)
    return this.#net
  }

  /**
   * Closes the connection without sending a close frame (gorilla's `Close`). Pending and later reads, and
   * later writes, fail with "use of closed network connection". Idempotent.
   *
   * Without a close frame sent the socket is closed at once. Once one was sent or queued (by
   * `writeMessage` / `writeControl`, the default close handler's reply, or the 1002 / 1007 / 1008 / 1009 sent
   * after a bad frame), frames already queued still go out, the socket is half-closed behind them and the
   * peer's input is discarded until the peer closes too, for at most `writeWait` ms: closing at once with
   * input unread would reset the connection and the peer could lose the close frame.
   */
  close (): void {
    if (this.#closed) return
    this.#closed = true
    this.#input.queue.fail(deferredConnClosed)
    const lingering = this.#output.closeFrameQueued
    this.#output.fail(deferredConnClosed, { local: true, flush: lingering })
    if (lingering) this.#link.linger(writeWait)
    if (this.#ownNet) {
      if (!lingering) {
        if (this.#net === null) this.#socket.destroy()
        else this.#net.close()
      }
      return
    }
    // A connection below (the router's hijacked conn) is closed either way: it lingers the same way, and closing
    // is its release. After a close frame, only once the frames queued before it (one may still be compressing)
    // are on the socket, or its end would cut them off.
    const net = this.#net as NetConn
    if (!lingering) net.close()
    else void this.#output.flushed(flushWait).then(() => { closeQuietly(net) })
  }
}

/**
 * Resolves once the frames `conn` queued so far are on the socket, or after `flushWait` ms; `undefined` when
 * nothing is pending. The legacy upgrader waits for this before the router closes a hijacked connection whose
 * handler has returned. Not on `Conn` itself, so that it stays out of the published API.
 *
 * @param conn - the connection
 */
export function connFlushed (conn: Conn): Promise<void> | undefined {
  return flushedOf(conn)
}
