/**
 * WebSocket handshake requests built by hand (RFC 6455 section 4.1), so a test can send any variant - a
 * header missing, duplicated, misspelt or with a bad value - and check the server's `Sec-WebSocket-Accept`.
 */
import { createHash, randomBytes } from 'node:crypto'

/** A valid `Sec-WebSocket-Key` (RFC 6455 section 1.3's example). */
export const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='
/** Its `Sec-WebSocket-Accept`. */
export const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='

/** RFC 6455 section 1.3: the GUID appended to the key for Sec-WebSocket-Accept. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** Sec-WebSocket-Accept for a key. */
export function acceptKey (key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64')
}

/** A fresh valid Sec-WebSocket-Key (base64 of 16 bytes). */
export function newKey (): string {
  return randomBytes(16).toString('base64')
}

/** Builds a request from a request line and raw header lines (duplicates, junk and bad casing allowed). */
export function rawRequest (requestLine: string, headerLines: readonly string[], body = ''): string {
  return `${requestLine}\r\n${headerLines.map(l => l + '\r\n').join('')}\r\n${body}`
}

/**
 * Header lines of a valid WebSocket handshake; `override` replaces (value) or drops (null) a header, and adds
 * the names it does not replace at the end.
 */
export function handshakeHeaders (host: string, override: Record<string, string | null> = {}, key = newKey()): string[] {
  const base: Record<string, string> = {
    Host: host,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Version': '13'
  }
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete base[k]
    else base[k] = v
  }
  return Object.entries(base).map(([k, v]) => `${k}: ${v}`)
}

/**
 * A whole WebSocket handshake request (Host `localhost`, target `/echo`, key {@link KEY} unless given).
 * `headers` entries override the defaults; a `null` value removes the header.
 */
export function handshakeRequest (
  options: { method?: string, path?: string, host?: string, headers?: Record<string, string | null> } = {}
): string {
  return rawRequest(`${options.method ?? 'GET'} ${options.path ?? '/echo'} HTTP/1.1`,
    handshakeHeaders(options.host ?? 'localhost', options.headers, KEY))
}
