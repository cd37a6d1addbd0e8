// The one place where a request path is decoded. Routing, group middleware, c.path() and static files all see
// the same normalized string, so an encoded spelling (`/%61dmin`, `/a/%2e%2e/b`) can never reach a route
// without passing the middleware of the path it decodes to.

const SLASH = 47
const DOT = 46
const PERCENT = 37
const HASH = 35

function hexValue (code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 65 && code <= 70) return code - 55
  if (code >= 97 && code <= 102) return code - 87
  return -1
}

/**
 * Percent-decodes `s` as UTF-8. `+` stays `+` (this is a path, not a form), and a `%` not followed by two hex
 * digits is kept as it is, the way Hertz decodes paths.
 */
export function percentDecode (s: string): string {
  const bytes = Buffer.allocUnsafe(s.length)
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i)
    if (code === PERCENT && i + 2 < s.length) {
      const hi = hexValue(s.charCodeAt(i + 1))
      const lo = hexValue(s.charCodeAt(i + 2))
      if (hi >= 0 && lo >= 0) {
        bytes[n++] = (hi << 4) | lo
        i += 2
        continue
      }
    }
    // The request target reaches us as latin1, so every char is one byte.
    bytes[n++] = code & 0xff
  }
  return bytes.toString('utf8', 0, n)
}

/**
 * True when `p` needs no decoding or cleaning: no `%`, `#`, `//` and no `.` or `..` segment.
 */
export function isClean (p: string): boolean {
  let prev = 0
  for (let i = 0; i < p.length; i++) {
    const code = p.charCodeAt(i)
    if (code === PERCENT || code === HASH) return false
    if (prev === SLASH && (code === SLASH || code === DOT)) return false
    prev = code
  }
  return true
}

/**
 * Resolves `.` and `..` segments and collapses repeated slashes. `..` never climbs above the root. A trailing
 * slash is kept, and a path ending in `.` or `..` ends in a slash, as Hertz's URI normalization does.
 */
export function cleanPath (p: string): string {
  const parts = p.split('/')
  const out: string[] = []
  let trailing = false
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i] as string
    const last = i === parts.length - 1
    if (seg === '' || seg === '.') {
      if (last) trailing = true
      continue
    }
    if (seg === '..') {
      out.pop()
      if (last) trailing = true
      continue
    }
    out.push(seg)
  }
  if (out.length === 0) return '/'
  return '/' + out.join('/') + (trailing ? '/' : '')
}

/**
 * Decodes and normalizes the path part of a request target (without its query). Returns the input itself when
 * nothing needs doing, which is the common case and costs one scan.
 */
export function normalizePath (rawPath: string): string {
  if (isClean(rawPath)) return rawPath
  let decoded = rawPath
  for (let i = 0; i < rawPath.length; i++) {
    if (rawPath.charCodeAt(i) === PERCENT) {
      decoded = percentDecode(rawPath)
      break
    }
  }
  return cleanPath(decoded)
}

// Path characters of RFC 3986 (pchar and '/'), with %XX escapes other than an encoded slash or backslash.
const SAFE_PREFIX = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%(?![2][fF]|[5][cC])[0-9A-Fa-f]{2})*$/

/**
 * The `X-Forwarded-Prefix` a trailing-slash redirect puts before its path, as Hertz does, cleaned and without a
 * trailing slash; '' when the header is absent or unsafe. Only a plain absolute path is taken: no backslash,
 * no encoded slash or backslash, no control or non-ASCII character, so the Location can never turn into a
 * protocol-relative `//host` or `/\\host` (the open redirect gin had).
 */
export function forwardedPrefix (value: string): string {
  if (value === '' || !SAFE_PREFIX.test(value)) return ''
  return trimTrailingSlashes(cleanPath(value))
}

// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL on purpose
const NON_ASCII = /[^\x00-\x7f]/

/**
 * `s` with every byte of its UTF-8 form above 0x7F written as `%XX` (upper-case hex) and everything else kept, as
 * Go's `hexEscapeNonASCII` does for `http.Redirect`: a header value carries bytes, and node would send a character
 * up to U+00FF as one latin1 byte and refuse any above.
 */
export function hexEscapeNonASCII (s: string): string {
  if (!NON_ASCII.test(s)) return s
  let out = ''
  for (const byte of Buffer.from(s, 'utf8')) {
    out += byte < 0x80 ? String.fromCharCode(byte) : '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

/** Percent-encodes a decoded path for a `Location` header (backslashes, `?`, `#` and `%` included). */
export function quotePath (path: string): string {
  return encodeURI(path).replace(/[?#]/g, ch => (ch === '?' ? '%3F' : '%23'))
}

/**
 * Extracts the path of an absolute-form request target (`http://host/path?q`), or returns null when the target
 * is neither absolute-form nor origin-form.
 */
export function absoluteFormPath (target: string): string | null {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(target)
  if (m === null) return null
  const rest = target.slice(m[0].length)
  return rest === '' || rest.charCodeAt(0) !== SLASH ? '/' + rest : rest
}

/** `p` without its trailing slashes ('' for the root). */
export function trimTrailingSlashes (p: string): string {
  let end = p.length
  while (end > 0 && p.charCodeAt(end - 1) === SLASH) end--
  return p.slice(0, end)
}

/** True when `path` is `prefix` or lies below it (`prefix` without trailing slash; '' is the root). */
export function isUnderPrefix (path: string, prefix: string): boolean {
  return path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === SLASH)
}

/**
 * Go's `url.QueryUnescape`: `%XX` decoded (as UTF-8) and `+` read as a space; null when an escape is malformed (a
 * `%` not followed by two hex digits), in which case Hertz keeps the value as sent.
 */
export function queryUnescape (s: string): string | null {
  if (!s.includes('%') && !s.includes('+')) return s
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (i + 2 >= s.length || hexValue(s.charCodeAt(i + 1)) < 0 || hexValue(s.charCodeAt(i + 2)) < 0) return null
    i += 2
  }
  return percentDecode(s.replaceAll('+', ' '))
}
