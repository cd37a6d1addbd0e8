import type { IncomingMessage } from 'node:http'
import { HertzError, HertzErrorCode } from '../errors.js'

const EMPTY = Buffer.alloc(0)

/** {@link headFlags}: the request has a Host header. */
export const HAS_HOST = 1
/** {@link headFlags}: the request announces a body. */
export const HAS_BODY = 2

/**
 * Host / body facts from the raw header list in one pass, without making node:http build `req.headers` (which
 * most requests never need).
 */
export function headFlags (req: IncomingMessage): number {
  const raw = req.rawHeaders
  let flags = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') flags |= HAS_HOST
        break
      case 14:
        if (raw[i + 1] !== '0' && name.toLowerCase() === 'content-length') flags |= HAS_BODY
        break
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') flags |= HAS_BODY
        break
    }
  }
  return flags
}

/** True when the request announces a body (a non-zero Content-Length or any Transfer-Encoding). */
export function announcesBody (req: IncomingMessage): boolean {
  const h = req.headers
  const len = h['content-length']
  if (len !== undefined && len !== '0') return true
  return h['transfer-encoding'] !== undefined
}

/** A Content-Length header value as a byte count, or -1 when it is absent or not a non-negative integer. */
export function parseContentLength (value: unknown): number {
  if (value === undefined) return -1
  const n = Number(value)
  return Number.isSafeInteger(n) && n >= 0 ? n : -1
}

/** The declared Content-Length, or -1 when the request has none (chunked or no body). */
export function declaredLength (req: IncomingMessage): number {
  return parseContentLength(req.headers['content-length'])
}

export function bodyTooLarge (limit: number): HertzError {
  return new HertzError(HertzErrorCode.BODY_TOO_LARGE, `body size exceeds the given limit of ${limit} bytes`)
}

/**
 * Collects the request body, rejecting with `HERTZ_ERR_BODY_TOO_LARGE` past `limit` bytes (the stream is then
 * paused and left for the engine to discard) or `HERTZ_ERR_BODY_ABORTED` when the client goes away first.
 */
export function readBody (req: IncomingMessage, limit: number): Promise<Buffer> {
  if (!announcesBody(req)) return Promise.resolve(EMPTY)
  if (declaredLength(req) > limit) return Promise.reject(bodyTooLarge(limit))
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      req.removeListener('data', onData)
      req.removeListener('end', onEnd)
      req.removeListener('error', onError)
      req.removeListener('close', onClose)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        req.pause()
        reject(bodyTooLarge(limit))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      cleanup()
      resolve(chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, size))
    }
    const onError = (err: Error): void => {
      cleanup()
      reject(new HertzError(HertzErrorCode.BODY_ABORTED, 'request body aborted: ' + err.message, { cause: err }))
    }
    const onClose = (): void => {
      if (req.complete) return
      cleanup()
      reject(new HertzError(HertzErrorCode.BODY_ABORTED, 'request body aborted: client went away'))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}
