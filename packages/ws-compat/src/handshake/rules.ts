/**
 * The rules of the RFC 6455 opening handshake as pure functions over header strings, shared by the
 * recommended `Upgrader`, the deprecated `HertzUpgrader` and the `Dialer`: one parser, one set of rules.
 * What the two sides agree on is in negotiate.ts (subprotocols) and deflate.ts (compression).
 *
 * `1#token` lists are read the way gorilla/websocket reads them (RFC 7230), without allocating substrings.
 */
import { createHash } from 'node:crypto'

/** Base64 of exactly 16 bytes: 22 significant characters and `==` padding. */
const CHALLENGE_KEY = /^[A-Za-z0-9+/]{22}==$/

/** Prefix of gorilla's (and hertz-contrib's) refusals of requests that are not WebSocket handshakes. */
export const BAD_HANDSHAKE = 'websocket: the client is not using the websocket protocol: '
/** Refusal text when `Sec-WebSocket-Version` lacks 13; both upgraders use it verbatim. */
export const UNSUPPORTED_VERSION = "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header"
/** The refusal of a handshake that completes while the router shuts down gracefully (status 503). */
export const SHUTTING_DOWN = 'websocket: the server is shutting down'
/** Refusal text when the application set `Sec-WebSocket-Extensions` itself; both upgraders use it verbatim. */
export const APP_EXTENSIONS_UNSUPPORTED = "websocket: application specific 'Sec-WebSocket-Extensions' headers are unsupported"

/** The GUID of RFC 6455 section 1.3, hashed with the client's key into `Sec-WebSocket-Accept`. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

// RFC 7230 tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TOKEN = new Uint8Array(128)
for (const ch of "!#$%&'*+-.^_`|~") TOKEN[ch.charCodeAt(0)] = 1
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1

function isTokenChar (code: number): boolean {
  return code < 128 && TOKEN[code] === 1
}

function skipSpace (s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c !== 0x20 && c !== 0x09) break
    i++
  }
  return i
}

function tokenEnd (s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++
  return i
}

function foldASCII (code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code
}

/**
 * Compares two strings with ASCII-only case folding (RFC 4790 `i;ascii-casemap`): `A-Z` match `a-z`, every
 * other character must be identical. Unlike `toLowerCase()` it never folds non-ASCII letters.
 */
export function equalASCIIFold (s: string, t: string): boolean {
  if (s.length !== t.length) return false
  for (let i = 0; i < s.length; i++) {
    const a = s.charCodeAt(i)
    const b = t.charCodeAt(i)
    if (a !== b && foldASCII(a) !== foldASCII(b)) return false
  }
  return true
}

function regionEqualsFold (s: string, start: number, end: number, value: string): boolean {
  if (end - start !== value.length) return false
  for (let i = 0; i < value.length; i++) {
    const a = s.charCodeAt(start + i)
    const b = value.charCodeAt(i)
    if (a !== b && foldASCII(a) !== foldASCII(b)) return false
  }
  return true
}

/**
 * Tells whether a `1#token` header (e.g. `Connection: keep-alive, Upgrade`) contains `value`, compared
 * case-insensitively. Each field line is read on its own; a malformed line stops being read at the first
 * error, as gorilla's `tokenListContainsValue` does.
 *
 * @param header - the header's field lines (`IncomingMessage.headersDistinct[name]`), one line, or undefined
 * @param value - the token to look for
 */
export function tokenListContainsValue (header: readonly string[] | string | undefined, value: string): boolean {
  if (header === undefined) return false
  if (typeof header === 'string') return lineContainsToken(header, value)
  for (const line of header) if (lineContainsToken(line, value)) return true
  return false
}

function lineContainsToken (s: string, value: string): boolean {
  let i = 0
  for (;;) {
    const start = skipSpace(s, i)
    const end = tokenEnd(s, start)
    if (end === start) return false
    i = skipSpace(s, end)
    if (i < s.length && s.charCodeAt(i) !== 0x2c) return false
    if (regionEqualsFold(s, start, end, value)) return true
    if (i >= s.length) return false
    i++
  }
}

/**
 * The field lines of one request header, read from `req.rawHeaders`, or undefined when it is absent. Reading
 * the raw list keeps node:http from building `req.headers` / `req.headersDistinct`, objects the request would
 * then carry for as long as the handler that upgraded it keeps it in scope (a whole WebSocket session).
 *
 * @param raw - `req.rawHeaders`: names and values, alternating
 * @param lowerName - the header name in lower case
 */
export function headerLines (raw: readonly string[], lowerName: string): string[] | undefined {
  let lines: string[] | undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === lowerName.length && equalASCIIFold(name, lowerName)) (lines ??= []).push(raw[i + 1] as string)
  }
  return lines
}

/**
 * {@link tokenListContainsValue} over every field line of one request header in `req.rawHeaders`, without
 * collecting the lines: the checks every handshake makes cost no allocation.
 *
 * @param raw - `req.rawHeaders`: names and values, alternating
 * @param lowerName - the header name in lower case
 * @param value - the token to look for
 */
export function rawHeaderContainsToken (raw: readonly string[], lowerName: string, value: string): boolean {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === lowerName.length && equalASCIIFold(name, lowerName) && lineContainsToken(raw[i + 1] as string, value)) return true
  }
  return false
}

/** The first field line of a request header (see {@link headerLines}), or undefined. */
export function firstHeader (raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === lowerName.length && equalASCIIFold(name, lowerName)) return raw[i + 1]
  }
  return undefined
}

/**
 * Tells whether `key` is a valid `Sec-WebSocket-Key`: the base64 encoding of 16 bytes (RFC 6455 4.2.1).
 *
 * @param key - the header value
 */
export function isValidChallengeKey (key: string | undefined): boolean {
  return key !== undefined && CHALLENGE_KEY.test(key)
}

/**
 * Computes `Sec-WebSocket-Accept` for a challenge key: base64(SHA-1(key + GUID)).
 *
 * @param challengeKey - the client's `Sec-WebSocket-Key`
 */
export function computeAcceptKey (challengeKey: string): string {
  return createHash('sha1').update(challengeKey).update(WEBSOCKET_GUID).digest('base64')
}

/**
 * The default origin policy of both upgraders: allowed when there is no `Origin` header, refused when it
 * cannot be parsed, otherwise allowed only when its host (with port, as written) equals the request's
 * `Host`, compared case-insensitively. Like Go's `url.Parse`, the port is not normalised:
 * `http://a.example:80` does not match `Host: a.example`.
 *
 * @param origin - the `Origin` request header, undefined when absent
 * @param host - the request's `Host`
 */
export function checkSameOrigin (origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true
  const originHost = hostOfOrigin(origin)
  return originHost !== null && equalASCIIFold(originHost, host ?? '')
}

/** `scheme "://" [userinfo "@"] host [":" port]` → `host[:port]`; `''` without an authority; null if invalid. */
function hostOfOrigin (origin: string): string | null {
  if (!URL.canParse(origin)) return null
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(origin)
  if (m === null) return ''
  const authority = m[1]!
  return authority.slice(authority.lastIndexOf('@') + 1)
}
