/**
 * permessage-deflate (RFC 7692) as this package uses it: always "no context takeover" in both directions,
 * the only mode gorilla/websocket and hertz-contrib/websocket implement. The server's negotiation and the
 * client's check of the answer both end in a {@link NegotiatedCompression}; a connection turns it into
 * `ws`'s `PerMessageDeflate`.
 */
import { constants as zlibConstants } from 'node:zlib'
import { defaultCompressionLevel } from '../constants.js'
import { createPerMessageDeflate, type PerMessageDeflate } from '../ws-internals.js'

/** The permessage-deflate parameters a handshake agreed on (always without context takeover). */
export interface NegotiatedCompression {
  serverNoContextTakeover: true
  clientNoContextTakeover: true
  serverMaxWindowBits?: number
  clientMaxWindowBits?: number
}

/**
 * The agreement for the given window sizes; `undefined` leaves a direction at zlib's 15 bits.
 *
 * @param serverMaxWindowBits - the server's agreed window size
 * @param clientMaxWindowBits - the client's agreed window size
 */
export function noContextTakeover(
  serverMaxWindowBits: number | undefined,
  clientMaxWindowBits: number | undefined,
): NegotiatedCompression {
  const compression: NegotiatedCompression = { serverNoContextTakeover: true, clientNoContextTakeover: true }
  if (serverMaxWindowBits !== undefined) compression.serverMaxWindowBits = serverMaxWindowBits
  if (clientMaxWindowBits !== undefined) compression.clientMaxWindowBits = clientMaxWindowBits
  return compression
}

/**
 * zlib options for a gorilla compression level: -2 is Huffman-only, -1 zlib's default, 0..9 as zlib.
 *
 * @param level - a level in -2..9
 */
export function zlibOptionsForLevel(level: number): Record<string, unknown> {
  return level === -2
    ? { level: zlibConstants.Z_DEFAULT_COMPRESSION, strategy: zlibConstants.Z_HUFFMAN_ONLY }
    : { level }
}

/**
 * The `PerMessageDeflate` for one side of a connection, with the handshake's parameters already agreed.
 * Its size limit is set by the connection's read limit.
 *
 * @param compression - the negotiated parameters
 * @param isServer - which side this is
 */
export function newPerMessageDeflate(compression: NegotiatedCompression, isServer: boolean): PerMessageDeflate {
  const pmd = createPerMessageDeflate(
    {
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      zlibDeflateOptions: zlibOptionsForLevel(defaultCompressionLevel),
    },
    isServer,
    0,
  )
  const params: Record<string, unknown> = { server_no_context_takeover: true, client_no_context_takeover: true }
  if (compression.serverMaxWindowBits !== undefined) params['server_max_window_bits'] = compression.serverMaxWindowBits
  if (compression.clientMaxWindowBits !== undefined) params['client_max_window_bits'] = compression.clientMaxWindowBits
  pmd.params = params
  return pmd
}
