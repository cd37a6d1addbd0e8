import type { ServerResponse } from 'node:http'
import type { RequestContext } from '@hertz-node/router'

type ResponseHeader = RequestContext['response']['header']

/**
 * Copies the headers earlier middleware set on `c.response` onto `res`, so a wrapped Node handler answers with
 * them (its own `setHeader` calls still win). `setHeader` rather than `appendHeader`: running twice over the
 * same response (a middleware, then a handler) must not duplicate anything. Content-Length is left out on
 * purpose: it describes a body the router would have sent, not the one the Node handler writes.
 *
 * @param h - the router's response headers
 * @param res - the Node response about to be handed over
 */
export function carryHeaders (h: ResponseHeader, res: ServerResponse): void {
  if (h.contentType !== '') res.setHeader('Content-Type', h.contentType)
  const kv = h.kv
  const n = kv.length
  for (let i = 0; i < n; i += 2) {
    const name = kv[i] as string
    const lower = name.toLowerCase()
    if (seenBefore(kv, i, lower)) continue
    let values: string | string[] = kv[i + 1] as string
    for (let j = i + 2; j < n; j += 2) {
      if ((kv[j] as string).toLowerCase() !== lower) continue
      if (typeof values === 'string') values = [values]
      values.push(kv[j + 1] as string)
    }
    res.setHeader(name, values)
  }
}

/**
 * Moves every header a connect-style middleware set on `res` into `c.response`, and off `res`. The router's
 * buffered response stays the one source of truth for the rest of the chain: a later handler can still change
 * or delete those headers, and a later wrapped handler carries them over exactly once.
 *
 * @param res - the Node response the middleware saw
 * @param h - the router's response headers
 */
export function moveHeaders (res: ServerResponse, h: ResponseHeader): void {
  // Raw names keep the middleware's casing (node:http has had this since 15.13; @types/node lacks it).
  const names = (res as ServerResponse & { getRawHeaderNames(): string[] }).getRawHeaderNames()
  for (const name of names) {
    const value = res.getHeader(name)
    res.removeHeader(name)
    if (value === undefined) continue
    if (Array.isArray(value)) {
      if (value.length === 0) continue
      h.set(name, value[0] as string)
      for (let i = 1; i < value.length; i++) h.add(name, value[i] as string)
    } else {
      h.set(name, String(value))
    }
  }
}

/**
 * Removes every header from a response that was never sent, so the router's error answer is not mixed with
 * the headers of the handler that failed.
 *
 * @param res - a response whose head has not been sent
 */
export function clearHeaders (res: ServerResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name)
}

function seenBefore (kv: readonly string[], end: number, lower: string): boolean {
  for (let j = 0; j < end; j += 2) if ((kv[j] as string).toLowerCase() === lower) return true
  return false
}
