import { HertzError, HertzErrorCode } from '../errors.js'
import { parseCookie, stringifySetCookie, type SetCookie } from 'cookie'

/** How a Set-Cookie carries SameSite (Hertz's `protocol.CookieSameSite`). */
export type CookieSameSite = 0 | 1 | 2 | 3 | 4
/** No SameSite attribute. */
export const CookieSameSiteDisabled = 0
/** A bare `SameSite` attribute (the browser's default mode). */
export const CookieSameSiteDefaultMode = 1
/** `SameSite=Lax`. */
export const CookieSameSiteLaxMode = 2
/** `SameSite=Strict`. */
export const CookieSameSiteStrictMode = 3
/** `SameSite=None` (needs `secure`; pair it with `partitioned` for third-party cookies). */
export const CookieSameSiteNoneMode = 4

/** A response cookie with every attribute Hertz's `protocol.Cookie` has. */
export interface Cookie {
  /** Name ('' writes the value alone, as Hertz does). */
  key: string
  /** Value, written as it is: escape it first if it needs it (`setCookie` query-escapes it, as Hertz). */
  value: string
  /** `Max-Age` in seconds: 0 leaves it out, a negative number writes `Max-Age=0` (delete now). */
  maxAge?: number
  /** `Expires`. */
  expire?: Date
  /** `Domain`. */
  domain?: string
  /** `Path`. */
  path?: string
  /** `HttpOnly`. */
  httpOnly?: boolean
  /** `Secure`. */
  secure?: boolean
  /** `SameSite`, one of the `CookieSameSite...` constants. */
  sameSite?: CookieSameSite
  /** `Partitioned` (CHIPS). */
  partitioned?: boolean
}

const SAME_SITE = [undefined, undefined, 'lax', 'strict', 'none'] as const
// Hertz's spelling of the SameSite values (its protocol.Cookie writes them capitalised).
const SAME_SITE_VALUE = [undefined, undefined, 'Lax', 'Strict', 'None'] as const

// Hertz neither decodes request cookie values nor re-encodes response ones beyond what the caller did; only a pair
// of surrounding double quotes is dropped when reading (RFC 6265 §4.1.1 allows them around a cookie-value).
function asIs (v: string): string {
  return v.length > 1 && v.charCodeAt(0) === 34 && v.charCodeAt(v.length - 1) === 34 ? v.slice(1, -1) : v
}

/** The `Cookie` header of a request parsed into name → value (first value of a repeated name), quotes removed. */
export function parseRequestCookies (header: string | undefined): Record<string, string | undefined> {
  return header === undefined || header === '' ? {} : parseCookie(header, { decode: asIs })
}

/**
 * The Set-Cookie line for `c`, byte for byte as Hertz's `Cookie.AppendBytes` writes it (`max-age`, `expires`,
 * `domain`, `path`, `HttpOnly`, `secure`, `SameSite`, `Partitioned`, in that order). The `cookie` library checks
 * every part first: anything a header cannot carry throws `HERTZ_ERR_BAD_COOKIE`.
 */
export function formatSetCookie (c: Cookie): string {
  validate(c)
  let line = c.key === '' ? c.value : `${c.key}=${c.value}`
  if (c.maxAge !== undefined && c.maxAge !== 0) line += `; max-age=${c.maxAge < 0 ? 0 : Math.trunc(c.maxAge)}`
  if (c.expire !== undefined) line += `; expires=${c.expire.toUTCString()}`
  if (c.domain !== undefined && c.domain !== '') line += `; domain=${c.domain}`
  if (c.path !== undefined && c.path !== '') line += `; path=${c.path}`
  if (c.httpOnly === true) line += '; HttpOnly'
  if (c.secure === true) line += '; secure'
  if (c.sameSite === CookieSameSiteDefaultMode) line += '; SameSite'
  const ss = c.sameSite === undefined ? undefined : SAME_SITE_VALUE[c.sameSite]
  if (ss !== undefined) line += `; SameSite=${ss}`
  if (c.partitioned === true) line += '; Partitioned'
  return line
}

// The library's serializer is the validator: it refuses a name, value, domain, path or date a header cannot carry.
function validate (c: Cookie): void {
  const sc: SetCookie = { name: c.key === '' ? 'x' : c.key, value: c.value }
  if (c.maxAge !== undefined && c.maxAge !== 0) sc.maxAge = c.maxAge < 0 ? 0 : Math.trunc(c.maxAge)
  if (c.expire !== undefined) sc.expires = c.expire
  if (c.domain !== undefined && c.domain !== '') sc.domain = c.domain
  if (c.path !== undefined && c.path !== '') sc.path = c.path
  const ss = c.sameSite === undefined ? undefined : SAME_SITE[c.sameSite]
  if (ss !== undefined) sc.sameSite = ss
  try {
    stringifySetCookie(sc, { encode: v => v })
  } catch (err) {
    throw new HertzError(HertzErrorCode.BAD_COOKIE, (err as Error).message, { cause: err })
  }
}

/** Go's `url.QueryEscape`: what Hertz's `SetCookie` applies to a value. */
export function queryEscape (s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, ch => '%' + ch.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, '+')
}
