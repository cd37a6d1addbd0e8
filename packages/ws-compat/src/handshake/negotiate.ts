/**
 * Subprotocol negotiation (RFC 6455 section 4.2.2): what the client asked for and what the server picks.
 */

/**
 * Splits a `Sec-WebSocket-Protocol` request header into the protocols the client asked for, in its order
 * (gorilla's `Subprotocols(r)`).
 *
 * @param header - the header value, or undefined when absent
 * @returns the trimmed protocol names; empty when the header is absent or blank
 */
export function parseSubprotocols (header: string | undefined): string[] {
  if (header === undefined) return []
  const trimmed = header.trim()
  if (trimmed === '') return []
  return trimmed.split(',').map((p) => p.trim())
}

/** Whose order wins when both sides list several subprotocols. */
export type SubprotocolPreference = 'client' | 'server'

/**
 * Picks the subprotocol both sides support. gorilla/websocket takes the client's first protocol the server
 * supports (`'client'`); hertz-contrib/websocket takes the server's first protocol the client asked for
 * (`'server'`).
 *
 * @param client - the protocols the client asked for, in its order
 * @param server - the protocols the server supports, in its order
 * @param preference - whose order decides
 * @returns the chosen protocol, or `''` when there is no match
 */
export function selectSubprotocol (
  client: readonly string[],
  server: readonly string[],
  preference: SubprotocolPreference
): string {
  const [outer, inner] = preference === 'client' ? [client, server] : [server, client]
  for (const p of outer) if (inner.includes(p)) return p
  return ''
}
