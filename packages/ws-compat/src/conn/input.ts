import type { Duplex } from 'node:stream'
import { deferredUnexpectedEOF, formatCloseMessage, peerCloseError } from './close-error.js'
import {
  BinaryMessage,
  CloseInvalidFramePayloadData,
  CloseMessage,
  CloseMessageTooBig,
  ClosePolicyViolation,
  PongMessage,
  TextMessage,
  defaultMaxBufferedChunks,
  defaultMaxFragments,
  defaultMaxQueuedBytes,
  defaultReadLimit,
  writeWait,
} from '../constants.js'
import { DeferredError, ErrReadLimit, WsCompatError, WsCompatErrorCode, socketError, type TimeoutOf } from '../errors.js'
import type { Output } from './output.js'
import { ReadQueue, type Message, type ReadQueueOwner } from './read-queue.js'
import { socketOnData } from './socket-link.js'
import {
  closeCodeOf,
  createReceiver,
  dropBuffered,
  setMaxPayload,
  type PerMessageDeflate,
  type Receiver,
} from '../ws-internals.js'

/**
 * Called with the application data of a ping or pong. A throw (or rejection) fails the reads.
 *
 * `appData` is a `Buffer` where gorilla has a `string`: a Go string is a sequence of bytes, a JS string is not,
 * and a ping's data need not be UTF-8. Passing it on (`def(appData)`, `writeControl(PongMessage, appData)`)
 * keeps every byte; `appData.toString()` reads it as text.
 */
export type ControlHandler = (appData: Buffer) => unknown
/** Called with a received close frame. A throw fails the reads with that error instead of the CloseError. */
export type CloseHandler = (code: number, text: string) => unknown

/** How the read side of a connection is built. */
export interface InputInit {
  socket: Duplex
  isServer: boolean
  pmd: PerMessageDeflate | null
  readLimit?: number | undefined
  maxQueuedBytes?: number | undefined
  /** Frames per message; `defaultMaxFragments` when undefined, `0` for no limit. */
  maxFragments?: number | undefined
  /** Socket chunks per frame; `defaultMaxBufferedChunks` when undefined, `0` for no limit. */
  maxBufferedChunks?: number | undefined
  /** Where the default handlers send their replies. */
  output: Output
  /** Told when no more input will be parsed (close frame, protocol error, end of stream). */
  link: { inputDone(): void }
  /** Recognises the timeouts of the connection below in the socket's error. */
  timeoutOf?: TimeoutOf | undefined
}

const noop = (): void => {}

/**
 * What the default ping handler does not report, as gorilla's: the close frame went first (`ErrCloseSent`), a
 * timeout (gorilla skips temporary network errors, and Go's timeouts are temporary), or a full write queue.
 */
const skippedPong: ReadonlySet<unknown> = new Set([
  WsCompatErrorCode.CLOSE_SENT,
  WsCompatErrorCode.WRITE_TIMEOUT,
  WsCompatErrorCode.WRITE_QUEUE_FULL,
])

function ignoreSkippedPong (err: unknown): void {
  if (!skippedPong.has((err as { code?: unknown } | null)?.code)) throw err
}
const noExtensions: Record<string, PerMessageDeflate> = Object.freeze({}) as Record<string, PerMessageDeflate>

const kInput = Symbol('input')
type ReceiverWithInput = Receiver & { [kInput]: Input }

function inputOf (receiver: Receiver): Input {
  return (receiver as ReceiverWithInput)[kInput]
}
function receiverOnMessage (this: Receiver, data: Buffer, isBinary: boolean): void {
  inputOf(this).queue.push(isBinary ? BinaryMessage : TextMessage, ownBytes(data))
}

/** Bytes of other data a received message may keep alive before it is copied out (see {@link ownBytes}). */
const PIN_TOLERANCE = 4096

/**
 * The message's bytes in memory of their own when the parser handed over a view into a larger chunk read from
 * the socket. gorilla's `ReadMessage` returns a slice the caller owns; a view would keep the whole chunk (up to
 * 64 KB, with the messages around it) alive for as long as the application keeps the message - and the guide's
 * read loop keeps the last message in its frame while it waits for the next one, so every connection would pin
 * one chunk, and the memory churn that follows shows up as page faults and GC work.
 */
function ownBytes (data: Buffer): Buffer {
  const pinned = data.buffer.byteLength - data.byteLength
  // A message that is most of its chunk, or a few bytes more, is kept as it is: copying would cost more.
  if (pinned <= data.byteLength || pinned <= PIN_TOLERANCE) return data
  // Small copies come from Node's shared pool, large ones get their own memory.
  return Buffer.from(data)
}
function receiverOnPing (this: Receiver, data: Buffer): void {
  inputOf(this).onPing(data)
}
function receiverOnPong (this: Receiver, data: Buffer): void {
  inputOf(this).onPong(data)
}
function receiverOnConclude (this: Receiver, code: number, reason: Buffer): void {
  inputOf(this).onCloseFrame(code, reason)
}
function receiverOnError (this: Receiver, err: Error): void {
  inputOf(this).onParseError(err)
}
function receiverOnDrain (this: Receiver): void {
  inputOf(this).resume('receiver')
}
function receiverOnFinish (this: Receiver): void {
  inputOf(this).finish()
}

/**
 * The read side of a `Conn`: feeds socket bytes to `ws`'s frame parser, queues the messages, runs the
 * control frame handlers, and turns the end of the stream into the error reads report.
 */
export class Input implements ReadQueueOwner {
  /** The messages waiting to be read. */
  readonly queue: ReadQueue
  /** `true` once nothing more will be parsed. */
  done = false
  private readonly socket: Duplex
  private readonly receiver: Receiver
  private readonly pmd: PerMessageDeflate | null
  private readonly output: Output
  private readonly link: { inputDone(): void }
  private handlePing: ControlHandler | null = null
  private handlePong: ControlHandler | null = null
  private handleClose: CloseHandler | null = null
  private receiverPaused = false
  private queuePaused = false
  private socketError: Error | null = null
  private readonly timeoutOf: TimeoutOf | undefined

  /** @param init - the socket, the negotiated extension and where replies go */
  constructor (init: InputInit) {
    this.socket = init.socket
    this.pmd = init.pmd
    this.output = init.output
    this.link = init.link
    this.timeoutOf = init.timeoutOf
    this.queue = new ReadQueue(this, init.maxQueuedBytes ?? defaultMaxQueuedBytes)
    const receiver = createReceiver({
      allowSynchronousEvents: true,
      extensions: init.pmd === null ? noExtensions : { 'permessage-deflate': init.pmd },
      isServer: init.isServer,
      maxBufferedChunks: init.maxBufferedChunks ?? defaultMaxBufferedChunks,
      maxFragments: init.maxFragments ?? defaultMaxFragments,
      maxPayload: 0,
      skipUTF8Validation: false,
    })
    this.receiver = receiver
    this.setReadLimit(init.readLimit ?? defaultReadLimit)
    // Shared listeners that find their Input on the parser: no closures per connection.
    ;(receiver as ReceiverWithInput)[kInput] = this
    receiver.on('message', receiverOnMessage)
    receiver.on('ping', receiverOnPing)
    receiver.on('pong', receiverOnPong)
    receiver.on('conclude', receiverOnConclude)
    receiver.on('error', receiverOnError)
    receiver.on('drain', receiverOnDrain)
    receiver.on('finish', receiverOnFinish)
  }

  /** Feeds socket bytes to the parser. */
  write (chunk: Buffer): void {
    if (!this.receiver.write(chunk)) this.pause('receiver')
  }

  /** {@link ReadQueueOwner}: the queue is full. */
  pauseReading (): void {
    this.pause('queue')
  }

  /** {@link ReadQueueOwner}: the queue has room again. */
  resumeReading (): void {
    this.resume('queue')
  }

  /** See `Conn.setReadLimit`. */
  setReadLimit (limit: number): void {
    setMaxPayload(this.receiver, this.pmd, limit > 0 ? limit : 0)
  }

  /** See `Conn.setPingHandler`. */
  setPingHandler (h: ControlHandler | null): void {
    this.handlePing = h
  }

  /**
   * See `Conn.pingHandler`. The default handler is made when asked for (a closure per connection would cost
   * every idle connection its bytes); frames use {@link answerPing} directly.
   */
  pingHandler (): ControlHandler {
    return this.handlePing ?? ((appData) => this.answerPing(appData))
  }

  /**
   * gorilla's default ping handler: answers with a pong of the same bytes. Like gorilla's, it returns the
   * write's error, so a handler that wraps it and returns its result fails the reads with it; a close frame
   * already sent, a write timeout and a full write queue (the pong is skipped) are not errors.
   */
  private answerPing (appData: Buffer | string): Promise<void> {
    return this.output.writeControl(PongMessage, appData, Date.now() + writeWait).catch(ignoreSkippedPong)
  }

  /** See `Conn.setPongHandler`. */
  setPongHandler (h: ControlHandler | null): void {
    this.handlePong = h
  }

  /** See `Conn.pongHandler`. */
  pongHandler (): ControlHandler {
    return this.handlePong ?? noop
  }

  /** See `Conn.setCloseHandler`. */
  setCloseHandler (h: CloseHandler | null): void {
    this.handleClose = h
  }

  /** See `Conn.closeHandler`. */
  closeHandler (): CloseHandler {
    return this.handleClose ?? ((code) => this.closeReply(code))
  }

  /** The peer ended its side of the stream: parse what is left. */
  socketEnded (): void {
    if (!this.receiver.writableEnded) this.receiver.end()
  }

  /** Parses nothing more and lets the socket's further input drain away (the connection is closing). */
  discard (): void {
    if (this.done) return
    this.stop()
    this.markDone()
  }

  /** Remembers the socket's error; reads report it once the queued messages are read. */
  socketFailed (err: Error): void {
    this.socketError ??= err
  }

  /** The socket is gone: parse what it still buffered, then end the stream. */
  socketClosed (): void {
    const socket = this.socket
    socket.removeListener('data', socketOnData)
    // Bytes still buffered in a paused socket are messages the peer sent before it left: keep them.
    if (!this.done && socket.readableLength > 0) {
      const rest = socket.read() as Buffer | null
      if (rest !== null) this.receiver.write(rest)
    }
    if (!this.receiver.writableEnded) this.receiver.end()
    if (this.done || this.receiver.writableFinished || this.receiver.errored !== null) this.cleanup()
    else this.receiver.once('finish', () => this.cleanup())
  }

  /** The parser's `'finish'`: everything up to the end of the socket's stream is parsed. */
  finish (): void {
    this.endStream()
    this.markDone()
  }

  private cleanup (): void {
    this.endStream()
    this.pmd?.cleanup()
  }

  /** Ends the reads with the end of the stream, unless a close frame or an error ended them already. */
  private endStream (): void {
    if (this.queue.ended) return
    const err = this.socketError
    this.queue.end(err === null ? deferredUnexpectedEOF : new DeferredError(() => socketError(err, this.timeoutOf)))
  }

  private markDone (): void {
    if (this.done) return
    this.done = true
    this.link.inputDone()
  }

  private pause (reason: 'queue' | 'receiver'): void {
    if (reason === 'queue') this.queuePaused = true
    else this.receiverPaused = true
    this.socket.pause()
  }

  /** Resumes reading the socket for `reason`, once neither the queue nor the parser holds it back. */
  resume (reason: 'queue' | 'receiver'): void {
    if (reason === 'queue') this.queuePaused = false
    else this.receiverPaused = false
    if (!this.queuePaused && !this.receiverPaused && !this.done) this.socket.resume()
  }

  /** Stops feeding the parser (after a close frame or a protocol error) and lets the socket drain. */
  private stop (): void {
    this.socket.removeListener('data', socketOnData)
    // A listener that drops the bytes rather than none: a stream left with no listener at all can stop
    // flowing (when a 'readable' listener elsewhere is removed), and unread input makes the close a reset.
    this.socket.on('data', noop)
    this.queuePaused = false
    this.receiverPaused = false
    process.nextTick(() => this.socket.resume())
  }

  /** A best-effort control reply with gorilla's `writeWait` deadline; its failure surfaces on later writes. */
  private reply (messageType: number, data: Buffer): void {
    this.output.writeControl(messageType, data, Date.now() + writeWait).catch(noop)
  }

  private closeReply (code: number): void {
    this.reply(CloseMessage, formatCloseMessage(code, ''))
  }

  /** The parser's `'pong'`: runs the pong handler. */
  onPong (data: Buffer): void {
    if (this.handlePong !== null) this.runHandler(this.handlePong, data)
  }

  /** The parser's `'ping'`: runs the ping handler, or the default one. */
  onPing (data: Buffer): void {
    this.runHandler(this.handlePing, data)
  }

  /** Runs `handler` (the default ping answer when null) with `appData`: its failure ends the reads. */
  private runHandler (handler: ControlHandler | null, appData: Buffer): void {
    try {
      const result = handler === null ? this.answerPing(appData) : handler(appData)
      if (result instanceof Promise) result.catch((err: unknown) => this.queue.end(err))
    } catch (err) {
      this.queue.end(err)
    }
  }

  /** The parser's `'conclude'`: a close frame; the reads end with it once they reach it. */
  onCloseFrame (code: number, reason: Buffer): void {
    const text = reason.toString()
    this.stop()
    this.queue.end(
      new DeferredError(() => peerCloseError(code, text)),
      () => this.runCloseHandler(code, text)
    )
    this.markDone()
  }

  /** Runs the close handler; returns its error, which then replaces the CloseError. */
  private runCloseHandler (code: number, text: string): unknown {
    if (this.handleClose === null) {
      this.closeReply(code)
      return undefined
    }
    try {
      const result = this.handleClose(code, text)
      if (result instanceof Promise) result.catch(noop)
      return undefined
    } catch (err) {
      return err
    }
  }

  /** The parser's `'error'`: the peer broke the protocol; the reads end with it once they reach it. */
  onParseError (err: Error): void {
    this.stop()
    // The refused message will never be delivered: what was buffered of it need not live as long as the Conn.
    dropBuffered(this.receiver)
    const status = closeCodeOf(err)
    const detail = err.message.replace(/^Invalid WebSocket frame: /, '')
    let readErr: Error
    let reason = detail
    if (status === CloseMessageTooBig) {
      readErr = ErrReadLimit
      reason = ''
    } else if (status === ClosePolicyViolation) {
      // ws's fragment and chunk bounds, the only policy it enforces.
      readErr = new WsCompatError(WsCompatErrorCode.FRAGMENT_LIMIT, `websocket: ${detail.toLowerCase()}`, { cause: err })
    } else if (status === CloseInvalidFramePayloadData) {
      readErr = new WsCompatError(WsCompatErrorCode.INVALID_UTF8, `websocket: ${detail}`, { cause: err })
    } else {
      readErr = new WsCompatError(WsCompatErrorCode.PROTOCOL, `websocket: ${detail}`, { cause: err })
    }
    // Best effort, as gorilla: tell the peer why, once the reader gets here.
    const message = formatCloseMessage(status, reason.slice(0, 123))
    this.queue.end(readErr, () => this.reply(CloseMessage, message))
    this.markDone()
  }
}

export type { Message }
