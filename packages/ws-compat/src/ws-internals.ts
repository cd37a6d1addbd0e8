/**
 * The single doorway into `ws`'s internal modules.
 *
 * `ws` (pinned to ^8) does the wire work: frame parsing and unmasking, UTF-8 validation and size limits
 * (`Receiver`), frame building and masking (`Sender.frame`), and permessage-deflate (`PerMessageDeflate`,
 * plus the `Sec-WebSocket-Extensions` parser). Its public `WebSocket` class is not used: its close
 * handshake echoes every close frame itself and owns the ping/close policy, while gorilla lets the
 * application's close handler decide - so the gorilla-style `Conn` drives these building blocks directly.
 *
 * `ws`'s `exports` map hides `lib/*`, so the package directory is resolved through its main entry and the
 * files are required by absolute path. Every private field this package touches is touched here, and only
 * here, so a `ws` upgrade has one file to review.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Writable } from 'node:stream'

const require = createRequire(import.meta.url)
const wsLib = join(dirname(require.resolve('ws')), 'lib')

/** Options of `ws`'s frame parser. */
export interface ReceiverOptions {
  allowSynchronousEvents?: boolean
  binaryType?: 'nodebuffer'
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
 * `'ping'(data)`, `'pong'(data)`, `'conclude'(code, reason)` for a close frame, and `'error'(err)` with
 * {@link wsStatusCode} set to the close code the peer should get (1002, 1007, 1009...).
 */
export interface Receiver extends Writable {
  _maxPayload: number
  _maxFragments?: number
  _fragments: Buffer[]
  _buffers: Buffer[]
  _bufferedBytes: number
}

/** Options of one frame for {@link Sender.frame}. */
export interface FrameOptions {
  fin: boolean
  opcode: number
  rsv1: boolean
  mask: boolean
  /** `true` when `data` must not be masked in place (it belongs to the caller). */
  readOnly: boolean
}

/** `ws`'s permessage-deflate extension (RFC 7692) for one connection. */
export interface PerMessageDeflate {
  params: Record<string, unknown> | null
  offer(): Record<string, unknown>
  accept(configurations: Array<Record<string, unknown>>): Record<string, unknown>
  compress(data: Buffer, fin: boolean, cb: (err: Error | null, result?: Buffer) => void): void
  decompress(data: Buffer, fin: boolean, cb: (err: Error | null, result?: Buffer) => void): void
  cleanup(): void
  _isServer: boolean
  _maxPayload: number
  _options: { zlibDeflateOptions?: Record<string, unknown> }
  _deflate: { close(): void } | null
}

/** Construction options of {@link PerMessageDeflate}. */
export interface PerMessageDeflateOptions {
  serverNoContextTakeover?: boolean
  clientNoContextTakeover?: boolean
  serverMaxWindowBits?: number | boolean
  clientMaxWindowBits?: number | boolean
  zlibDeflateOptions?: Record<string, unknown>
  threshold?: number
}

interface ReceiverCtor {
  new (options: ReceiverOptions): Receiver
}
interface SenderStatic {
  frame(data: Buffer, options: FrameOptions): Buffer[]
}
interface PerMessageDeflateCtor {
  new (options: object, isServer?: boolean, maxPayload?: number): PerMessageDeflate
  readonly extensionName: string
}

const ReceiverClass = require(join(wsLib, 'receiver.js')) as ReceiverCtor
const SenderClass = require(join(wsLib, 'sender.js')) as SenderStatic
const PerMessageDeflateClass = require(join(wsLib, 'permessage-deflate.js')) as PerMessageDeflateCtor
const extension = require(join(wsLib, 'extension.js')) as {
  parse(header: string): Record<string, Array<Record<string, unknown[]>>>
  format(extensions: Record<string, unknown>): string
}
const wsConstants = require(join(wsLib, 'constants.js')) as { kStatusCode: symbol; GUID: string }

/** The extension token of permessage-deflate. */
export const PERMESSAGE_DEFLATE = PerMessageDeflateClass.extensionName

/** The GUID of RFC 6455 section 1.3, used to compute `Sec-WebSocket-Accept`. */
export const WEBSOCKET_GUID = wsConstants.GUID

// The fragment and chunk bounds came with ws 8.21; an older copy would take the options and silently not
// enforce them, leaving a remote out-of-memory open. Refuse to load instead.
if (new ReceiverClass({ maxFragments: 1 })._maxFragments !== 1) {
  throw new Error('@hertz-node/ws-compat needs ws >= 8.21.0 (maxFragments / maxBufferedChunks)')
}

/** Creates `ws`'s frame parser. */
export function createReceiver(options: ReceiverOptions): Receiver {
  return new ReceiverClass({ ...options, binaryType: 'nodebuffer' })
}

/**
 * Drops what the parser holds of a message it refused (its fragments, the socket chunks not yet parsed), so
 * that a connection the application keeps after the error does not keep them too. Only once parsing stopped.
 */
export function dropBuffered(receiver: Receiver): void {
  receiver._fragments = []
  receiver._buffers = []
  receiver._bufferedBytes = 0
}

/** Builds one frame: `[header]` or `[header, payload]`, masked when `options.mask`. */
export function buildFrame(data: Buffer, options: FrameOptions): Buffer[] {
  return SenderClass.frame(data, options)
}

/**
 * Creates a permessage-deflate instance. Older `ws` 8.x releases take `isServer` and `maxPayload` as
 * positional arguments, newer ones in the options object: both are passed.
 */
export function createPerMessageDeflate(
  options: PerMessageDeflateOptions,
  isServer: boolean,
  maxPayload: number,
): PerMessageDeflate {
  return new PerMessageDeflateClass({ ...options, isServer, maxPayload }, isServer, maxPayload)
}

/** Parses a `Sec-WebSocket-Extensions` header; throws on syntax errors. */
export function parseExtensions(header: string): Record<string, Array<Record<string, unknown[]>>> {
  return extension.parse(header)
}

/** Formats extensions for a `Sec-WebSocket-Extensions` header. */
export function formatExtensions(extensions: Record<string, unknown>): string {
  return extension.format(extensions)
}

/** The close code `ws` attached to a parser error (1002, 1007, 1009...), if any. */
export function wsStatusCode(err: Error): number | undefined {
  return (err as unknown as Record<symbol, number | undefined>)[wsConstants.kStatusCode]
}

/**
 * Changes the message size limit of a live connection (gorilla's `SetReadLimit` may be called at any
 * time): the parser checks frame lengths, the inflater the inflated size. `0` means no limit.
 */
export function setMaxPayload(receiver: Receiver, pmd: PerMessageDeflate | null, limit: number): void {
  receiver._maxPayload = limit
  if (pmd !== null) pmd._maxPayload = limit
}

/**
 * Sets the zlib options used for the next compressed message. The deflate stream is created lazily by
 * `ws` with these options, so an existing one is dropped; call only between messages.
 */
export function setDeflateOptions(pmd: PerMessageDeflate, zlibOptions: Record<string, unknown>): void {
  pmd._options.zlibDeflateOptions = zlibOptions
  if (pmd._deflate !== null) {
    pmd._deflate.close()
    pmd._deflate = null
  }
}
