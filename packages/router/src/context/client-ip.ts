import { isIP } from 'node:net'
import type { RequestContext } from './request-context.js'

/** Returns the client IP for a request (see `h.setClientIPFunc`). */
export type ClientIPFunc = (c: RequestContext) => string

function firstValidIP (list: string | undefined): string {
  if (list === undefined || list === '') return ''
  const first = (list.split(',')[0] as string).trim()
  return isIP(first) !== 0 ? first : ''
}

/** Hertz's default: X-Forwarded-For (first entry), then X-Real-IP, then the peer address. */
export function defaultClientIP (c: RequestContext): string {
  const h = c.req.headers
  const xff = h['x-forwarded-for']
  const ip = firstValidIP(Array.isArray(xff) ? xff[0] : xff) || firstValidIP(h['x-real-ip'] as string | undefined)
  return ip !== '' ? ip : (c.req.socket.remoteAddress ?? '')
}
