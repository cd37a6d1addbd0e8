/**
 * permessage-deflate (RFC 7692) as a connection uses it: always "no context takeover" in both directions, the
 * only mode gorilla/websocket and hertz-contrib/websocket implement. A handshake (either side's) ends in a
 * {@link NegotiatedCompression}; the connection turns it into `ws`'s `PerMessageDeflate`.
 */
import { constants as zlibConstants } from 'node:zlib'
import { defaultCompressionLevel } from '../constants.js'
import { createPerMessageDeflate, type PerMessageDeflate } from '../ws-internals.js'

/** The permessage-deflate parameters a handshake agreed on (always without context takeover). */
export interface NegotiatedCompression {
  /** The server starts each message with a fresh compression context (always agreed here). */
  serverNoContextTakeover: true
  /** The client starts each message with a fresh compression context (always agreed here). */
  clientNoContextTakeover: true
  /** The server's LZ77 window size (8 to 15), when one was agreed. */
  serverMaxWindowBits?: number
  /** The client's LZ77 window size (8 to 15), when one was agreed. */
  clientMaxWindowBits?: number
}

/**
 * zlib options for a gorilla compression level: -2 is Huffman-only, -1 zlib's default, 0..9 as zlib.
 *
 * @param level - a level in -2..9
 */
export function zlibOptionsForLevel (level: number): Record<string, unknown> {
  return level === -2
    ? { level: zlibConstants.Z_DEFAULT_COMPRESSION, strategy: zlibConstants.Z_HUFFMAN_ONLY }
    : { level }
}

/**
 * The window size this side compresses with: its own direction's agreed size, zlib's 15 bits when none was.
 *
 * @param compression - the negotiated parameters
 * @param isServer - which side this is
 */
export function sendWindowBits (compression: NegotiatedCompression, isServer: boolean): number {
  return (isServer ? compression.serverMaxWindowBits : compression.clientMaxWindowBits) ?? 15
}

/**
 * The `PerMessageDeflate` for one side of a connection, with the handshake's parameters agreed through
 * `ws`'s own `accept` (they were validated during the handshake, so it cannot refuse them). Its size limit is
 * set by the connection's read limit.
 *
 * @param compression - the negotiated parameters
 * @param isServer - which side this is
 */
export function newPerMessageDeflate (compression: NegotiatedCompression, isServer: boolean): PerMessageDeflate {
  const pmd = createPerMessageDeflate({
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    zlibDeflateOptions: zlibOptionsForLevel(defaultCompressionLevel),
    isServer,
    maxPayload: 0,
  })
  const agreed: Record<string, unknown[]> = { server_no_context_takeover: [true], client_no_context_takeover: [true] }
  if (compression.serverMaxWindowBits !== undefined) agreed['server_max_window_bits'] = [compression.serverMaxWindowBits]
  if (compression.clientMaxWindowBits !== undefined) agreed['client_max_window_bits'] = [compression.clientMaxWindowBits]
  pmd.accept([agreed])
  return pmd
}
