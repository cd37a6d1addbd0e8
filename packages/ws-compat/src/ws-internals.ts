/**
 * The single doorway into `ws`.
 *
 * `ws` does the wire work: frame parsing and unmasking, UTF-8 validation and size limits (`Receiver`), frame
 * building and masking (`Sender.frame`), and permessage-deflate (`PerMessageDeflate`, plus the
 * `Sec-WebSocket-Extensions` parser `extension`). Its `WebSocket` class is not used: its close handshake
 * echoes every close frame itself and owns the ping/close policy, while gorilla lets the application's close
 * handler decide - so the gorilla-style `Conn` drives these building blocks directly.
 *
 * All four are named exports of `ws`'s public entry, imported statically so that a bundler can follow them.
 * `@types/ws` does not declare them, hence the interfaces below. What `ws` offers no public way to do is done
 * here, and only here: changing the size limit of a live parser and inflater (`_maxPayload`), dropping what a
 * parser that refused a message still buffers of it (`_fragments`, `_buffers`, `_bufferedBytes`), changing the
 * deflate options of a live extension (`_options`, `_deflate`), checking that the fragment bounds exist
 * (`_maxFragments`), and checking the UTF-8 of each fragment of a text message as it arrives (wrapping
 * `dataMessage`, reading `_fin`, `_opcode`, `_fragments`, failing through `createError`), and unmasking a payload a
 * word at a time when `ws` would go byte by byte (wrapping `consume` in the payload state, reading `_state`,
 * `_payloadLength`, `_mask`, clearing `_masked`). `ws-internals.test.ts` checks every one of these assumptions
 * against the installed `ws`; `ws` is pinned to the minor range that test was run against.
 */
import type { Writable } from 'node:stream'
import * as ws from 'ws'
import { Utf8Stream } from './conn/utf8-stream.js'
import { WORD_UNMASK_MIN, unmaskWords, wsUnmasksNatively } from './conn/unmask.js'

/** Options of `ws`'s frame parser. */
export interface ReceiverOptions {
  allowSynchronousEvents?: boolean
  extensions?: Record<string, PerMessageDeflate>
  isServer?: boolean
  /** Socket chunks one frame may be buffered in before it is refused with 1008; `0` = no limit. */
  maxBufferedChunks?: number
  /** Frames one message may come in before it is refused with 1008; `0` = no limit. */
  maxFragments?: number
  maxPayload?: number
  skipUTF8Validation?: boolean
}

/**
 * `ws`'s frame parser: a Writable fed with socket bytes that emits `'message'(data, isBinary)`,
 * `'ping'(data)`, `'pong'(data)`, `'conclude'(code, reason)` for a close frame, and `'error'(err)` (see
 * {@link closeCodeOf} for the close code the peer should get).
 */
export type Receiver = Writable

/** The private fields of a live `Receiver` that this file reads or changes. */
interface ReceiverFields {
  _maxPayload: number
  _maxFragments?: number
  _fragments: Buffer[]
  _buffers: Buffer[]
  _bufferedBytes: number
}

/** What the text-fragment check reads and calls on a live `Receiver`. */
interface ReceiverMessageFields {
  /** The frame being handled is the last of its message. */
  _fin: boolean
  /** The message's opcode (a continuation frame carries its message's). */
  _opcode: number
  _skipUTF8Validation: boolean
  /** Called after each data frame's payload (inflated, when compressed) was pushed to `_fragments`. */
  dataMessage(cb: (err?: Error) => void): void
  /** Takes `n` bytes off the buffered socket chunks (the payload, in the payload state). */
  consume(n: number): Buffer
  /** Where the parser is in the frame; {@link PAYLOAD_STATE} while it takes a payload. */
  _state: number
  _payloadLength: number
  /** The frame is masked: `ws` unmasks its payload right after `consume` took it, unless this is cleared. */
  _masked: boolean
  _mask: Buffer | undefined
  createError(ctor: ErrorConstructor, message: string, prefix: boolean, statusCode: number, errorCode: string): Error
}

/** Options of one frame for {@link buildFrame}. */
export interface FrameOptions {
  fin: boolean
  opcode: number
  rsv1: boolean
  mask: boolean
  /** `true` when `data` must not be masked in place (it belongs to the caller). */
  readOnly: boolean
}

/** `ws`'s permessage-deflate extension (RFC 7692) for one connection: its public members. */
export interface PerMessageDeflate {
  /** The agreed parameters, once {@link PerMessageDeflate.accept} ran. */
  readonly params: Record<string, unknown> | null
  /**
   * Agrees on parameters: on a server, the first acceptable offer; on a client, the server's answer. Values
   * are lists as {@link parseExtensions} gives them; throws when nothing can be accepted.
   */
  accept(configurations: Array<Record<string, unknown[]>>): Record<string, unknown>
  compress(data: Buffer, fin: boolean, cb: (err: Error | null, result?: Buffer) => void): void
  decompress(data: Buffer, fin: boolean, cb: (err: Error | null, result?: Buffer) => void): void
  cleanup(): void
}

/** Construction options of {@link PerMessageDeflate}. */
export interface PerMessageDeflateOptions {
  serverNoContextTakeover?: boolean
  clientNoContextTakeover?: boolean
  zlibDeflateOptions?: Record<string, unknown>
  /** Which side of the connection this is. */
  isServer: boolean
  /** Largest inflated message; `0` for no limit. */
  maxPayload: number
}

/** The private fields of a live `PerMessageDeflate` that this file changes. */
interface PerMessageDeflateFields {
  _maxPayload: number
  _options: { zlibDeflateOptions?: Record<string, unknown> }
  _deflate: { close(): void } | null
}

/** What this package takes from `ws`'s public entry. */
interface WsExports {
  Receiver: new (options: ReceiverOptions & { binaryType: 'nodebuffer' }) => Receiver
  Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] }
  PerMessageDeflate: (new (options: PerMessageDeflateOptions) => PerMessageDeflate) & { readonly extensionName: string }
  extension: {
    parse(header: string): Record<string, Array<Record<string, unknown[]>>>
    format(extensions: Record<string, unknown>): string
  }
}

const { Receiver: ReceiverClass, Sender, PerMessageDeflate: PerMessageDeflateClass, extension } = ws as unknown as WsExports

/** The extension token of permessage-deflate. */
export const PERMESSAGE_DEFLATE = PerMessageDeflateClass.extensionName

// The fragment and chunk bounds came with ws 8.21; an older copy would take the options and silently not
// enforce them, leaving a remote out-of-memory open. Refuse to load instead (the pin keeps such a copy out;
// this guards against overrides).
if ((new ReceiverClass({ maxFragments: 1, binaryType: 'nodebuffer' }) as Receiver & ReceiverFields)._maxFragments !== 1) {
  throw new Error('@hertz-node/ws-compat needs ws >= 8.21.0 (maxFragments / maxBufferedChunks)')
}

/** `ws`'s parser state while it reads a frame's payload (`GET_DATA`). */
const PAYLOAD_STATE = 4
/** `ws` would unmask in JavaScript, a byte at a time. */
const UNMASK_HERE = !wsUnmasksNatively()

const kUtf8 = Symbol('utf8')
type ParserInternals = Receiver & ReceiverFields & ReceiverMessageFields & { [kUtf8]?: Utf8Stream }
const ParserBase = ReceiverClass as unknown as new (options: ReceiverOptions) => ParserInternals

/**
 * `ws`'s parser with two steps extended. `dataMessage`: `ws` checks a text message's UTF-8 once the message is
 * complete; a fragmented one is checked here as each fragment arrives, so invalid data is refused (1007) at
 * the first fragment that cannot be valid. The check of the complete message stays `ws`'s. The state is
 * created with the first fragmented text message. `consume`: a masked payload of `WORD_UNMASK_MIN` bytes or
 * more is unmasked here a word at a time when `ws` has no native unmask (see `conn/unmask.ts`). A subclass, so
 * that every parser shares one shape and the overrides cost nothing per connection.
 */
class CheckedReceiver extends ParserBase {
  override consume (n: number): Buffer {
    const data = super.consume(n)
    // The payload of a masked frame, about to be unmasked byte by byte: done here a word at a time, and `ws`
    // told the frame needs no more (its unmask runs only while `_masked` is set).
    if (UNMASK_HERE && n >= WORD_UNMASK_MIN && this._state === PAYLOAD_STATE && this._masked && n === this._payloadLength) {
      unmaskWords(data, this._mask as Buffer)
      this._masked = false
    }
    return data
  }

  override dataMessage (cb: (err?: Error) => void): void {
    if (this._opcode === 1 && !this._skipUTF8Validation) {
      if (!this._fin) {
        const stream = (this[kUtf8] ??= new Utf8Stream())
        const fragments = this._fragments
        for (; stream.checked < fragments.length; stream.checked++) {
          if (!stream.push(fragments[stream.checked]!)) {
            stream.reset()
            cb(this.createError(Error, 'invalid UTF-8 sequence', true, 1007, 'WS_ERR_INVALID_UTF8'))
            return
          }
        }
      } else {
        this[kUtf8]?.reset()
      }
    }
    super.dataMessage(cb)
  }
}

/**
 * Creates `ws`'s frame parser; binary messages come as Buffers (`ws`'s default `binaryType`, which no option
 * here changes), fragmented text is checked as it comes.
 */
export function createReceiver (options: ReceiverOptions): Receiver {
  return new CheckedReceiver(options)
}

/**
 * Drops what the parser holds of a message it refused (its fragments, the socket chunks not yet parsed), so
 * that a connection the application keeps after the error does not keep them too. Only once parsing stopped.
 */
export function dropBuffered (receiver: Receiver): void {
  const fields = receiver as Receiver & ReceiverFields
  fields._fragments = []
  fields._buffers = []
  fields._bufferedBytes = 0
}

/** Builds one frame: `[header]` or `[header, payload]`, masked when `options.mask`. */
export function buildFrame (data: Buffer, options: FrameOptions): Buffer[] {
  return Sender.frame(data, options)
}

/** Creates a permessage-deflate instance (its parameters are agreed with `accept`). */
export function createPerMessageDeflate (options: PerMessageDeflateOptions): PerMessageDeflate {
  return new PerMessageDeflateClass(options)
}

/** Parses a `Sec-WebSocket-Extensions` header; throws on syntax errors. */
export function parseExtensions (header: string): Record<string, Array<Record<string, unknown[]>>> {
  return extension.parse(header)
}

/** Formats extensions for a `Sec-WebSocket-Extensions` header. */
export function formatExtensions (extensions: Record<string, unknown>): string {
  return extension.format(extensions)
}

/**
 * The close code the peer gets for an error of `ws`'s parser, read from the error's documented `code`: 1007
 * for invalid UTF-8 and for a compressed payload zlib cannot inflate (zlib's own `Z_*` code), 1009 for a
 * message over the limit, 1008 for too many fragments or buffered chunks, 1002 for any other protocol error.
 *
 * @param err - what the parser emitted
 */
export function closeCodeOf (err: Error): number {
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string') return 1002
  switch (code) {
    case 'WS_ERR_INVALID_UTF8':
      return 1007
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return 1009
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 1008
    default:
      return code.startsWith('Z_') ? 1007 : 1002
  }
}

/**
 * Changes the message size limit of a live connection (gorilla's `SetReadLimit` may be called at any
 * time): the parser checks frame lengths, the inflater the inflated size. `0` means no limit.
 */
export function setMaxPayload (receiver: Receiver, pmd: PerMessageDeflate | null, limit: number): void {
  ;(receiver as Receiver & ReceiverFields)._maxPayload = limit
  if (pmd !== null) (pmd as PerMessageDeflate & PerMessageDeflateFields)._maxPayload = limit
}

/**
 * Sets the zlib options used for the next compressed message. The deflate stream is created lazily by
 * `ws` with these options, so an existing one is dropped; call only between messages.
 */
export function setDeflateOptions (pmd: PerMessageDeflate, zlibOptions: Record<string, unknown>): void {
  const fields = pmd as PerMessageDeflate & PerMessageDeflateFields
  fields._options.zlibDeflateOptions = zlibOptions
  if (fields._deflate !== null) {
    fields._deflate.close()
    fields._deflate = null
  }
}
