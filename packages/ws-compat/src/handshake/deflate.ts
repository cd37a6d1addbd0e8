/**
 * permessage-deflate negotiation (RFC 7692 section 7) for both sides of the handshake, always in "no context
 * takeover" mode, the only mode gorilla/websocket and hertz-contrib/websocket implement: the server's choice
 * among the client's offers, and the client's check of the server's answer. Both end in a
 * {@link NegotiatedCompression}, which the connection turns into `ws`'s `PerMessageDeflate`.
 * `Sec-WebSocket-Extensions` parsing and the parameter rules are `ws`'s.
 */
import type { NegotiatedCompression } from '../conn/compression.js'
import { WsCompatError, WsCompatErrorCode } from '../errors.js'
import { createPerMessageDeflate, formatExtensions, parseExtensions, PERMESSAGE_DEFLATE } from '../ws-internals.js'

/** The client's offer: permessage-deflate without context takeover, as gorilla's `Dialer` sends it. */
export const DEFLATE_OFFER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover'

/** The server's side of the negotiation, for `ws` to check each offer against. */
const SERVER_NO_CONTEXT_TAKEOVER = { serverNoContextTakeover: true, clientNoContextTakeover: true, isServer: true, maxPayload: 0 }

/**
 * The agreement for the given window sizes; `undefined` leaves a direction at zlib's 15 bits.
 *
 * @param serverMaxWindowBits - the server's agreed window size
 * @param clientMaxWindowBits - the client's agreed window size
 */
export function noContextTakeover (
  serverMaxWindowBits: number | undefined,
  clientMaxWindowBits: number | undefined
): NegotiatedCompression {
  const compression: NegotiatedCompression = { serverNoContextTakeover: true, clientNoContextTakeover: true }
  if (serverMaxWindowBits !== undefined) compression.serverMaxWindowBits = serverMaxWindowBits
  if (clientMaxWindowBits !== undefined) compression.clientMaxWindowBits = clientMaxWindowBits
  return compression
}

/** The outcome of a successful `permessage-deflate` negotiation (always without context takeover). */
export interface DeflateAgreement {
  /** The agreed parameters, for `newServerConn`. */
  compression: NegotiatedCompression
  /** The `Sec-WebSocket-Extensions` response value. */
  header: string
}

/**
 * Accepts the first acceptable `permessage-deflate` offer (RFC 7692 section 7), always in "no context
 * takeover" mode for both directions, which is the only mode gorilla/websocket and hertz-contrib/websocket
 * implement. `ws` parses the header and validates each offer; an offer it rejects (unknown or repeated
 * parameter, window size outside 8-15) is declined and the next one tried, and a header that does not
 * parse offers nothing, so the connection simply goes uncompressed.
 *
 * @param header - the `Sec-WebSocket-Extensions` field lines, one line, or undefined
 * @returns the agreement, or `null` when no offer can be accepted
 */
export function negotiatePermessageDeflate (header: readonly string[] | string | undefined): DeflateAgreement | null {
  if (header === undefined) return null
  let offers: Array<Record<string, unknown[]>> | undefined
  try {
    offers = parseExtensions(typeof header === 'string' ? header : header.join(', '))[PERMESSAGE_DEFLATE]
  } catch {
    return null
  }
  if (offers === undefined) return null
  for (const offer of offers) {
    const pmd = createPerMessageDeflate(SERVER_NO_CONTEXT_TAKEOVER)
    let params: Record<string, unknown>
    try {
      params = pmd.accept([offer])
    } catch {
      continue
    }
    // ws has validated the offer: what it agreed on is a valid size or absent.
    const compression = noContextTakeover(windowBits(params.server_max_window_bits) ?? undefined,
      windowBits(params.client_max_window_bits) ?? undefined)
    return { compression, header: formatExtensions({ [PERMESSAGE_DEFLATE]: [params] }) }
  }
  return null
}

/**
 * The window size of a permessage-deflate `*_max_window_bits` parameter, in either form `ws` gives it (a
 * number once it has agreed, a list of values as parsed off the wire): `undefined` when absent, `null`
 * when not an integer in 8..15 (a valueless parameter included).
 *
 * @param value - the parameter's value
 */
export function windowBits (value: unknown): number | null | undefined {
  if (value === undefined) return undefined
  const bits = Number(Array.isArray(value) ? value[0] : value)
  return Number.isInteger(bits) && bits >= 8 && bits <= 15 ? bits : null
}

/**
 * The client's check of the server's `Sec-WebSocket-Extensions` answer (gorilla's): none means no compression;
 * otherwise it must be one permessage-deflate that was offered, with both "no context takeover" parameters and
 * valid window sizes.
 *
 * @param header - the answer, undefined when absent
 * @param offered - whether the client offered permessage-deflate
 * @throws WsCompatError `WS_COMPAT_ERR_INVALID_COMPRESSION` for an answer the client cannot honour
 */
export function acceptDeflateAnswer (header: string | undefined, offered: boolean): NegotiatedCompression | false {
  if (header === undefined) return false
  let extensions: ReturnType<typeof parseExtensions>
  try {
    extensions = parseExtensions(header)
  } catch {
    throw invalidCompression()
  }
  const accepted = extensions[PERMESSAGE_DEFLATE]
  if (accepted === undefined) return false
  const params = accepted[0] as Record<string, unknown[]>
  if (
    !offered ||
    accepted.length !== 1 ||
    params['server_no_context_takeover'] === undefined ||
    params['client_no_context_takeover'] === undefined
  ) {
    throw invalidCompression()
  }
  return noContextTakeover(answeredWindowBits(params['server_max_window_bits']), answeredWindowBits(params['client_max_window_bits']))
}

/** A window size the server answered: absent, or an integer in 8..15; anything else fails the dial. */
function answeredWindowBits (value: unknown[] | undefined): number | undefined {
  const bits = windowBits(value)
  if (bits === null) throw invalidCompression()
  return bits
}

function invalidCompression (): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.INVALID_COMPRESSION, 'websocket: invalid compression negotiation')
}
