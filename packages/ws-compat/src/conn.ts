import { Readable, type Duplex } from 'node:stream'
import type { BufferPool } from './buffer-pool.js'
import { takeWriteBuffer, WritePoolData } from './buffer-pool.js'
import { CloseError, formatCloseMessage, unexpectedEOF } from './close-error.js'
import {
  BinaryMessage,
  CloseGoingAway,
  CloseInvalidFramePayloadData,
  CloseMessage,
  CloseMessageTooBig,
  CloseNoStatusReceived,
  CloseNormalClosure,
  CloseProtocolError,
  PingMessage,
  PongMessage,
  TextMessage,
  defaultCompressionLevel,
  defaultMaxQueuedBytes,
  defaultWriteBufferSize,
  maxControlFramePayloadSize,
  writeWait,
} from './constants.js'
import { deadlineMs, toBuffer, type Data } from './data.js'
import {
  ErrCloseSent,
  ErrReadLimit,
  WsCompatError,
  WsCompatErrorCode,
  connClosedError,
  writeTimeoutError,
} from './errors.js'
import { FrameWriter } from './frame-writer.js'
import { MessageWriter, type WriterHost } from './message-writer.js'
import { SocketNetConn, type AddressLike, type NetConn } from './net-conn.js'
import type { PreparedMessage } from './prepared.js'
import { ReadQueue, type Message } from './read-queue.js'
import {
  createReceiver,
  setMaxPayload,
  wsStatusCode,
  type PerMessageDeflate,
  type Receiver,
} from './ws-internals.js'

/** Called with the application data of a ping or pong. A throw (or rejection) fails the reads. */
export type ControlHandler = (appData: string) => unknown
/** Called with a received close frame. A throw (or rejection) fails the reads instead of the CloseError. */
export type CloseHandler = (code: number, text: string) => unknown

/** How a connection is built. @internal Used by `newServerConn` and the `Dialer`. */
export interface ConnInit {
  socket: Duplex
  head: Buffer
  isServer: boolean
  subprotocol: string
  pmd: PerMessageDeflate | null
  writeBufferSize?: number | undefined
  writeBufferPool?: BufferPool | undefined
  netConn?: NetConn | undefined
  readLimit?: number | undefined
  maxQueuedBytes?: number | undefined
}

const noop = (): void => {}

function isData(type: number): boolean {
  return type === TextMessage || type === BinaryMessage
}

function isControl(type: number): boolean {
  return type === CloseMessage || type === PingMessage || type === PongMessage
}

function badOpcode(): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.BAD_WRITE_OPCODE, 'websocket: bad write message type')
}

function invalidControlFrame(): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.INVALID_CONTROL_FRAME, 'websocket: invalid control frame')
}

/**
 * A WebSocket connection with gorilla/websocket's API, for both upgraders and the `Dialer`.
 *
 * Reading: messages are parsed as they arrive and queued until `readMessage` takes them, so nothing sent
 * before the first read is lost. The queue is bounded (1 MiB by default): when it is full the socket is
 * paused and TCP flow control slows the peer down. Ping and pong handlers run as the frames arrive
 * (gorilla runs them inside a read; here no read is needed for a ping to be answered). A close frame, like
 * a protocol error, is handled as in gorilla when the reader reaches it, so the application can still
 * answer the messages that came before it.
 *
 * Writing departs from gorilla's one-writer rule on purpose: `writeMessage`, `writeJSON`,
 * `writePreparedMessage` and `writeControl` may be called concurrently, and messages go out in call
 * order. A writer from `nextWriter` holds the data channel until it is closed; data writes requested
 * meanwhile wait behind it (control frames may go between its fragments, as RFC 6455 allows).
 *
 * `close()` closes the socket without a close frame, as gorilla's `Close`. For a clean close, send one
 * first: `await conn.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, ''))`.
 */
export class Conn implements AsyncIterable<Message> {
  private readonly socket: Duplex
  private readonly isServer: boolean
  private readonly protocol: string
  private readonly receiver: Receiver
  private readonly frames: FrameWriter
  private readonly queue: ReadQueue
  private readonly pmd: PerMessageDeflate | null
  private readonly net: NetConn
  private readonly writePool: BufferPool | undefined
  private readonly writeBufferSize: number
  private ownWriteBuf: Buffer | null = null
  private host: WriterHost | null = null
  private writer: MessageWriter | null = null
  private writerWaiters: Array<() => void> = []
  private writeErr: Error | null = null
  private writeDeadline = 0
  private writeTimeout = 0
  private compressionEnabled = true
  private compressionLevel = defaultCompressionLevel
  private handlePing: ControlHandler | null = null
  private handlePong: ControlHandler | null = null
  private handleClose: CloseHandler | null = null
  private closed = false
  private closeWritten = false
  private inputDone = false
  private receiverPaused = false
  private queuePaused = false
  private socketError: Error | null = null

  /**
   * @internal Use an upgrader, `newServerConn` or a `Dialer`.
   * @param init - the socket and what the handshake negotiated
   */
  constructor(init: ConnInit) {
    this.socket = init.socket
    this.isServer = init.isServer
    this.protocol = init.subprotocol
    this.pmd = init.pmd
    this.writePool = init.writeBufferPool
    this.writeBufferSize =
      init.writeBufferSize !== undefined && init.writeBufferSize > 0 ? init.writeBufferSize : defaultWriteBufferSize
    this.net =
      init.netConn ??
      new SocketNetConn(this.socket, {
        setReadTimeout: (ms) => this.queue.setTimeout(ms),
        setWriteTimeout: (ms) => {
          this.writeTimeout = ms > 0 ? ms : 0
        },
      })
    this.queue = new ReadQueue(
      { pauseReading: () => this.pauseFor('queue'), resumeReading: () => this.resumeFor('queue') },
      init.maxQueuedBytes ?? defaultMaxQueuedBytes,
    )
    this.frames = new FrameWriter(this.socket, this.isServer, this.pmd, defaultCompressionLevel)
    const extensions: Record<string, PerMessageDeflate> = {}
    if (this.pmd !== null) extensions['permessage-deflate'] = this.pmd
    this.receiver = createReceiver({
      allowSynchronousEvents: true,
      extensions,
      isServer: this.isServer,
      maxPayload: 0,
      skipUTF8Validation: false,
    })
    setMaxPayload(this.receiver, this.pmd, init.readLimit ?? 0)

    const receiver = this.receiver
    receiver.on('message', (data: Buffer, isBinary: boolean) =>
      this.queue.push(isBinary ? BinaryMessage : TextMessage, data),
    )
    receiver.on('ping', (data: Buffer) => this.onPing(data))
    receiver.on('pong', (data: Buffer) => this.runHandler(this.handlePong, data.toString()))
    receiver.on('conclude', (code: number, reason: Buffer) => this.onCloseFrame(code, reason))
    receiver.on('error', (err: Error) => this.onProtocolError(err))
    receiver.on('drain', () => this.resumeFor('receiver'))
    receiver.on('finish', () => this.onInputDone())

    const socket = this.socket
    socket.on('data', this.onData)
    socket.on('end', () => this.onSocketEnd())
    socket.on('error', (err: Error) => {
      this.socketError ??= err
    })
    socket.on('close', () => this.onSocketClose())
    if ((socket as { setNoDelay?: (on: boolean) => void }).setNoDelay !== undefined) {
      ;(socket as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true)
    }
    if (init.head.length > 0) this.onData(init.head)
  }

  // ---------------------------------------------------------------- reading

  /**
   * The next data message: `[TextMessage | BinaryMessage, payload]`. Rejects with a {@link CloseError}
   * when the peer closed (code 1006 "unexpected EOF" when it vanished without a close frame), or with a
   * `WsCompatError` (`ErrReadLimit`, protocol, timeout...). Once it rejects, every later call rejects
   * with the same error: leave the read loop.
   */
  readMessage(): Promise<Message> {
    return this.queue.read()
  }

  /**
   * The next data message as a stream (gorilla's `NextReader`). The message is complete when it is
   * returned, so the stream never waits on the network.
   */
  async nextReader(): Promise<[messageType: number, reader: Readable]> {
    const [messageType, data] = await this.queue.read()
    return [messageType, Readable.from([data], { objectMode: false })]
  }

  /**
   * Reads the next message and parses it as JSON (gorilla's `ReadJSON`).
   * Rejects with `WS_COMPAT_ERR_INVALID_JSON` when it is not JSON; the connection stays usable.
   */
  async readJSON<T = unknown>(): Promise<T> {
    const [, data] = await this.queue.read()
    const text = data.toString()
    if (text.trim() === '') throw new WsCompatError(WsCompatErrorCode.INVALID_JSON, 'websocket: unexpected EOF')
    try {
      return JSON.parse(text) as T
    } catch (err) {
      throw new WsCompatError(WsCompatErrorCode.INVALID_JSON, `websocket: ${(err as Error).message}`, { cause: err })
    }
  }

  /**
   * Iterates over the data messages until the peer closes. A close with 1000, 1001 or no status ends the
   * loop; any other end (1006, a protocol error, a timeout) is thrown.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    for (;;) {
      try {
        yield await this.queue.read()
      } catch (err) {
        if (
          err instanceof CloseError &&
          (err.code === CloseNormalClosure || err.code === CloseGoingAway || err.code === CloseNoStatusReceived)
        ) {
          return
        }
        throw err
      }
    }
  }

  /**
   * Sets the read deadline (a `Date` or ms since the epoch; `0`/`null` clears it). A read still waiting
   * at the deadline fails with `WS_COMPAT_ERR_READ_TIMEOUT`, and so does every later read: after a read
   * timeout the connection can only be closed.
   */
  setReadDeadline(t: Date | number | null): void {
    this.queue.setDeadline(deadlineMs(t))
  }

  /**
   * Sets the largest message, in bytes, the peer may send (`0`: no limit, the default). A larger message
   * gets the peer a close 1009 and fails the read with `ErrReadLimit`.
   */
  setReadLimit(limit: number): void {
    setMaxPayload(this.receiver, this.pmd, limit > 0 ? limit : 0)
  }

  /** Sets the ping handler; `null` restores the default, which answers with a pong of the same data. */
  setPingHandler(h: ControlHandler | null): void {
    this.handlePing = h
  }

  /** The current ping handler. */
  pingHandler(): ControlHandler {
    return this.handlePing ?? ((appData) => this.writeControl(PongMessage, appData, Date.now() + writeWait).catch(noop))
  }

  /** Sets the pong handler; `null` restores the default, which does nothing. */
  setPongHandler(h: ControlHandler | null): void {
    this.handlePong = h
  }

  /** The current pong handler. */
  pongHandler(): ControlHandler {
    return this.handlePong ?? noop
  }

  /**
   * Sets the close handler; `null` restores the default, which answers with a close frame carrying the
   * same code. It runs when a read reaches the close frame; that read rejects with the `CloseError`.
   */
  setCloseHandler(h: CloseHandler | null): void {
    this.handleClose = h
  }

  /** The current close handler. */
  closeHandler(): CloseHandler {
    return this.handleClose ?? ((code) => this.sendCloseReply(code))
  }

  // ---------------------------------------------------------------- writing

  /**
   * Sends a message. `messageType` is any of the five types; data messages are compressed when that was
   * negotiated and `enableWriteCompression` allows it. Resolves when the socket took the bytes; rejects
   * with `ErrCloseSent` after a close frame, with a write timeout past the write deadline, or with the
   * socket's error. Concurrent calls are safe and keep their order.
   *
   * @param messageType - `TextMessage`, `BinaryMessage`, `CloseMessage`, `PingMessage` or `PongMessage`
   * @param data - the payload (a string is sent as UTF-8)
   */
  writeMessage(messageType: number, data: Data): Promise<void> {
    if (!isData(messageType) && !isControl(messageType)) return Promise.reject(badOpcode())
    if (this.writer !== null || this.writerWaiters.length > 0) {
      return this.afterWriter(() => this.writeMessageNow(messageType, data))
    }
    return this.writeMessageNow(messageType, data)
  }

  private writeMessageNow(messageType: number, data: Data): Promise<void> {
    const payload = toBuffer(data)
    if (isControl(messageType)) {
      if (payload.length > maxControlFramePayloadSize) return Promise.reject(invalidControlFrame())
      return this.sendFrame(messageType, payload, true, false, false, true, this.effectiveWriteDeadline())
    }
    const compress = this.compressing()
    return this.sendFrame(messageType, payload, true, compress, compress, true, this.effectiveWriteDeadline())
  }

  /**
   * Sends a control frame with its own deadline (gorilla's `WriteControl`): it does not wait for a
   * writer that is open, and may be called concurrently with anything.
   *
   * @param messageType - `CloseMessage`, `PingMessage` or `PongMessage`
   * @param data - at most 125 bytes
   * @param deadline - a `Date` or ms since the epoch; `0`/`null` for none
   */
  writeControl(messageType: number, data: Data, deadline?: Date | number | null): Promise<void> {
    if (!isControl(messageType)) return Promise.reject(badOpcode())
    const payload = toBuffer(data)
    if (payload.length > maxControlFramePayloadSize) return Promise.reject(invalidControlFrame())
    let at = deadlineMs(deadline)
    if (at !== 0 && at < Date.now()) return Promise.reject(writeTimeoutError())
    if (this.writeTimeout > 0) {
      const byTimeout = Date.now() + this.writeTimeout
      if (at === 0 || byTimeout < at) at = byTimeout
    }
    return this.sendFrame(messageType, payload, true, false, false, true, at)
  }

  /**
   * A writer for the next message (gorilla's `NextWriter`). It holds the data channel until `close()`:
   * other data writes wait behind it, and `nextWriter` itself waits for an open writer to be closed.
   *
   * @param messageType - any of the five message types
   */
  async nextWriter(messageType: number): Promise<MessageWriter> {
    if (!isData(messageType) && !isControl(messageType)) throw badOpcode()
    if (this.writer !== null || this.writerWaiters.length > 0) {
      return this.afterWriter(() => this.nextWriterNow(messageType))
    }
    return this.nextWriterNow(messageType)
  }

  private async nextWriterNow(messageType: number): Promise<MessageWriter> {
    if (this.writeErr !== null) throw this.writeErr
    const compress = isData(messageType) && this.compressing()
    this.writer = new MessageWriter(this.writerHost(), messageType, compress)
    return this.writer
  }

  /** Sends `v` as a JSON text message (with gorilla's trailing newline). */
  writeJSON(v: unknown): Promise<void> {
    let json: string | undefined
    try {
      json = JSON.stringify(v)
    } catch (err) {
      return Promise.reject(
        new WsCompatError(WsCompatErrorCode.INVALID_JSON, `websocket: ${(err as Error).message}`, { cause: err }),
      )
    }
    if (json === undefined) {
      return Promise.reject(new WsCompatError(WsCompatErrorCode.INVALID_JSON, 'websocket: value has no JSON form'))
    }
    return this.writeMessage(TextMessage, `${json}\n`)
  }

  /**
   * Sends a prepared message: its payload, compressed once per compression setting, is shared by every
   * connection it is sent to.
   *
   * @param pm - the message
   */
  writePreparedMessage(pm: PreparedMessage): Promise<void> {
    if (this.writer !== null || this.writerWaiters.length > 0) {
      return this.afterWriter(() => this.writePreparedNow(pm))
    }
    return this.writePreparedNow(pm)
  }

  private writePreparedNow(pm: PreparedMessage): Promise<void> {
    const compress = isData(pm.messageType) && this.compressing()
    const payload = compress ? pm.deflated(this.compressionLevel, this.windowBits()) : pm.data
    return this.sendFrame(pm.messageType, payload, true, compress, false, true, this.effectiveWriteDeadline())
  }

  /**
   * Sets the write deadline (a `Date` or ms since the epoch; `0`/`null` clears it). A write the socket
   * has not taken by then fails with `WS_COMPAT_ERR_WRITE_TIMEOUT`, and so does every later write.
   */
  setWriteDeadline(t: Date | number | null): void {
    this.writeDeadline = deadlineMs(t)
  }

  /** Turns compression of later data messages on or off; no effect unless compression was negotiated. */
  enableWriteCompression(enable: boolean): void {
    this.compressionEnabled = enable
  }

  /**
   * Sets the deflate level of later messages: -2 (Huffman only), -1 (zlib default), 0 (store) to 9
   * (best). Throws `WS_COMPAT_ERR_INVALID_COMPRESSION_LEVEL` for anything else.
   */
  setCompressionLevel(level: number): void {
    if (!Number.isInteger(level) || level < -2 || level > 9) {
      throw new WsCompatError(WsCompatErrorCode.INVALID_COMPRESSION_LEVEL, 'websocket: invalid compression level')
    }
    this.compressionLevel = level
  }

  // ---------------------------------------------------------------- connection

  /** The negotiated subprotocol, `''` when none. */
  subprotocol(): string {
    return this.protocol
  }

  /** The local address. */
  localAddr(): AddressLike {
    return this.net.localAddr()
  }

  /** The peer's address. */
  remoteAddr(): AddressLike {
    return this.net.remoteAddr()
  }

  /**
   * The connection under the WebSocket, with `setReadTimeout(ms)` / `setWriteTimeout(ms)`. Reading or
   * writing it directly corrupts the WebSocket stream.
   */
  netConn(): NetConn {
    return this.net
  }

  /**
   * Closes the connection at once, without sending or waiting for a close frame (gorilla's `Close`).
   * Pending and later reads and writes fail with "use of closed network connection". Idempotent.
   */
  close(): void {
    if (this.closed) return
    this.closed = true
    const err = connClosedError()
    this.queue.fail(err)
    this.writeErr ??= err
    this.frames.fail(err)
    this.releaseWriterWaiters()
    this.net.close()
  }

  // ---------------------------------------------------------------- internals

  private compressing(): boolean {
    return this.pmd !== null && this.compressionEnabled
  }

  private windowBits(): number {
    const bits = this.pmd?.params?.[this.isServer ? 'server_max_window_bits' : 'client_max_window_bits']
    return typeof bits === 'number' ? bits : 15
  }

  private effectiveWriteDeadline(): number {
    if (this.writeTimeout === 0) return this.writeDeadline
    const byTimeout = Date.now() + this.writeTimeout
    return this.writeDeadline === 0 || byTimeout < this.writeDeadline ? byTimeout : this.writeDeadline
  }

  private sendFrame(
    opcode: number,
    payload: Buffer,
    fin: boolean,
    rsv1: boolean,
    deflate: boolean,
    readOnly: boolean,
    deadline: number,
  ): Promise<void> {
    if (this.writeErr !== null) return Promise.reject(this.writeErr)
    if (deadline !== 0 && deadline <= Date.now()) return Promise.reject(this.writeFatal(writeTimeoutError()))
    const isClose = opcode === CloseMessage
    const p = new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      let settled = false
      if (deadline !== 0) {
        timer = setTimeout(() => {
          settled = true
          reject(this.writeFatal(writeTimeoutError()))
        }, deadline - Date.now())
      }
      this.frames.send(opcode, payload, fin, rsv1, deflate, readOnly, this.compressionLevel, (err) => {
        if (timer !== undefined) clearTimeout(timer)
        if (isClose && err == null) this.onCloseWritten()
        if (settled) return
        settled = true
        if (err != null) reject(this.writeFatal(this.writeError(err)))
        else resolve()
      })
    })
    // Later writes fail at once: nothing may follow a close frame.
    if (isClose) this.writeErr ??= ErrCloseSent
    return p
  }

  private writeFatal(err: Error): Error {
    this.writeErr ??= err
    return err
  }

  private writeError(err: Error): Error {
    if (this.closed) return connClosedError()
    if (err instanceof WsCompatError) return err
    return new WsCompatError(WsCompatErrorCode.NET, `websocket: ${err.message}`, { cause: err })
  }

  /** Queues `fn` until the open writer is closed; `fn` then runs with no writer open. */
  private afterWriter<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve) => {
      this.writerWaiters.push(() => resolve(fn()))
    })
  }

  private releaseWriterWaiters(): void {
    this.writer = null
    while (this.writer === null && this.writerWaiters.length > 0) (this.writerWaiters.shift() as () => void)()
  }

  private writerHost(): WriterHost {
    this.host ??= {
      takeBuffer: () => {
        if (this.writePool !== undefined) return takeWriteBuffer(this.writePool, this.writeBufferSize)
        this.ownWriteBuf ??= Buffer.allocUnsafe(this.writeBufferSize)
        return this.ownWriteBuf
      },
      releaseBuffer: (buf) => {
        if (this.writePool !== undefined) this.writePool.put(new WritePoolData(buf))
      },
      sendFrame: (opcode, payload, fin, rsv1, compress, readOnly) =>
        this.sendFrame(opcode, payload, fin, rsv1, compress, readOnly, this.effectiveWriteDeadline()),
      writerDone: (writer) => {
        if (this.writer === writer) this.releaseWriterWaiters()
      },
    }
    return this.host
  }

  private sendCloseReply(code: number): void {
    this.writeControl(CloseMessage, formatCloseMessage(code, ''), Date.now() + writeWait).catch(noop)
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.receiver.write(chunk)) this.pauseFor('receiver')
  }

  private pauseFor(reason: 'queue' | 'receiver'): void {
    if (reason === 'queue') this.queuePaused = true
    else this.receiverPaused = true
    this.socket.pause()
  }

  private resumeFor(reason: 'queue' | 'receiver'): void {
    if (reason === 'queue') this.queuePaused = false
    else this.receiverPaused = false
    if (!this.queuePaused && !this.receiverPaused && !this.inputDone) this.socket.resume()
  }

  /** Stops feeding the parser (after a close frame or a protocol error) and lets the socket drain. */
  private stopInput(): void {
    this.socket.removeListener('data', this.onData)
    this.queuePaused = false
    this.receiverPaused = false
    process.nextTick(() => this.socket.resume())
  }

  private onPing(data: Buffer): void {
    if (this.handlePing === null) {
      this.writeControl(PongMessage, data, Date.now() + writeWait).catch(noop)
      return
    }
    this.runHandler(this.handlePing, data.toString())
  }

  private runHandler(handler: ControlHandler | null, appData: string): void {
    if (handler === null) return
    try {
      const result = handler(appData)
      if (result instanceof Promise) result.catch((err: unknown) => this.failInput(err))
    } catch (err) {
      this.failInput(err)
    }
  }

  private onCloseFrame(code: number, reason: Buffer): void {
    const text = reason.toString()
    this.stopInput()
    this.inputDone = true
    this.queue.end(new CloseError(code, text), () => this.runCloseHandler(code, text))
    this.maybeEndSocket()
  }

  /** Runs the close handler; returns its error, which then replaces the CloseError. */
  private runCloseHandler(code: number, text: string): unknown {
    try {
      if (this.handleClose === null) {
        this.sendCloseReply(code)
        return undefined
      }
      const result = this.handleClose(code, text)
      if (result instanceof Promise) result.catch(noop)
      return undefined
    } catch (err) {
      return err
    }
  }

  private onProtocolError(err: Error & { code?: string }): void {
    this.stopInput()
    this.inputDone = true
    const status = wsStatusCode(err) ?? CloseProtocolError
    const detail = err.message.replace(/^Invalid WebSocket frame: /, '')
    let readErr: Error
    let reason = detail
    if (status === CloseMessageTooBig) {
      readErr = ErrReadLimit
      reason = ''
    } else if (status === CloseInvalidFramePayloadData) {
      readErr = new WsCompatError(WsCompatErrorCode.INVALID_UTF8, `websocket: ${detail}`, { cause: err })
    } else {
      readErr = new WsCompatError(WsCompatErrorCode.PROTOCOL, `websocket: ${detail}`, { cause: err })
    }
    // Best effort, as gorilla: tell the peer why, once the reader gets here.
    const message = formatCloseMessage(status, reason.slice(0, 123))
    this.queue.end(readErr, () => {
      this.writeControl(CloseMessage, message, Date.now() + writeWait).catch(noop)
    })
    this.maybeEndSocket()
  }

  private failInput(err: unknown): void {
    this.queue.end(err)
  }

  private onCloseWritten(): void {
    this.closeWritten = true
    this.maybeEndSocket()
  }

  /** After both close frames (or a close frame and a broken peer) the TCP connection has no further use. */
  private maybeEndSocket(): void {
    if (this.closeWritten && this.inputDone && !this.socket.writableEnded) this.socket.end()
  }

  private onSocketEnd(): void {
    this.receiver.end()
    if (!this.socket.writableEnded) this.socket.end()
  }

  private onInputDone(): void {
    this.queue.end(this.socketError !== null ? this.netError(this.socketError) : unexpectedEOF())
    this.inputDone = true
  }

  private onSocketClose(): void {
    const socket = this.socket
    // Bytes still buffered in a paused socket are messages the peer sent before it left: keep them.
    if (!this.inputDone && socket.readableLength > 0) {
      const rest = socket.read() as Buffer | null
      if (rest !== null) this.receiver.write(rest)
    }
    if (!this.receiver.writableEnded) this.receiver.end()
    const err = this.closed ? connClosedError() : this.socketError !== null ? this.netError(this.socketError) : connClosedError()
    this.writeErr ??= err
    this.frames.fail(err)
    this.releaseWriterWaiters()
    if (this.receiver.writableFinished || this.receiver.errored !== null || this.inputDone) this.cleanup()
    else this.receiver.once('finish', () => this.cleanup())
  }

  private cleanup(): void {
    this.queue.end(this.socketError !== null ? this.netError(this.socketError) : unexpectedEOF())
    this.pmd?.cleanup()
  }

  private netError(err: Error): WsCompatError {
    return new WsCompatError(WsCompatErrorCode.NET, `websocket: ${err.message}`, { cause: err })
  }
}
