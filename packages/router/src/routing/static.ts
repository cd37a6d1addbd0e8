import { createReadStream, promises as fsp } from 'node:fs'
import { resolve as resolvePath, sep } from 'node:path'
import { Readable } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import type { Context } from '../go-context.js'
import type { Response } from '../context/response.js'

/** What serving a file needs of a request context (static.ts sits below the context, whose `c.file()` it serves). */
export interface FileContext {
  readonly req: IncomingMessage
  readonly response: Response
  param (key: string): string
  setStatusCode (code: number): void
  setContentType (contentType: string): void
  setBodyStream (stream: Readable, size?: number): void
  abortWithMsg (msg: string, statusCode: number): void
}

/** A route handler serving files (a `HandlerFunc`: it needs no more of the context than {@link FileContext}). */
export type FileHandler = (ctx: Context, c: FileContext) => Promise<void>
import { parseHTTPDate } from './http-date.js'
import { contentTypeOfFile } from './mime.js'

function isInside (root: string, full: string): boolean {
  return full === root || full.startsWith(root.endsWith(sep) ? root : root + sep)
}

function notFound (c: FileContext): void {
  c.abortWithMsg('Cannot open requested path', 404)
}

/**
 * Answers with the file at `file` (absolute, already checked by the caller): Content-Type by extension (sniffed
 * from the first 512 bytes when the extension is unknown, as Hertz does),
 * Content-Length, Last-Modified, 304 for a fresh If-Modified-Since, 403 for a directory, 404 when missing.
 */
export async function sendFile (c: FileContext, file: string): Promise<void> {
  let st
  try {
    st = await fsp.stat(file)
  } catch {
    notFound(c)
    return
  }
  if (st.isDirectory()) {
    c.abortWithMsg('Directory index is forbidden', 403)
    return
  }
  if (!st.isFile()) {
    notFound(c)
    return
  }
  const mtime = new Date(Math.floor(st.mtimeMs / 1000) * 1000)
  if (notModified(c, mtime.getTime())) {
    c.response.reset()
    c.setStatusCode(304)
    c.response.header.set('Last-Modified', mtime.toUTCString())
    return
  }
  let type: string
  try {
    type = await contentTypeOfFile(file)
  } catch {
    notFound(c)
    return
  }
  c.setStatusCode(200)
  c.setContentType(type)
  c.response.header.set('Last-Modified', mtime.toUTCString())
  // Read no further than the length announced: bytes appended meanwhile would reach the client as the start of
  // the next response. A file that shrank ends the stream early, and the writer cuts the connection.
  const empty = c.req.method === 'HEAD' || st.size === 0
  const body = empty ? Readable.from([]) : createReadStream(file, { start: 0, end: st.size - 1 })
  c.setBodyStream(body, st.size)
}

/**
 * True when the request's If-Modified-Since makes a 304 the answer (RFC 9110 §13.1.3): only for GET and HEAD,
 * only without If-None-Match, and only when it is an HTTP-date not older than `mtime`.
 */
function notModified (c: FileContext, mtime: number): boolean {
  const headers = c.req.headers
  const since = headers['if-modified-since']
  if (since === undefined || headers['if-none-match'] !== undefined) return false
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return false
  const t = parseHTTPDate(since)
  return !Number.isNaN(t) && mtime <= t
}

/** Handler serving one fixed file (Hertz's `StaticFile`). */
export function staticFileHandler (filepath: string): FileHandler {
  const file = resolvePath(filepath)
  return function staticFile (_ctx, c) { return sendFile(c, file) }
}

/** Resolves the request-relative `rel` below `root`, or null when it would leave it. */
export function resolveInside (root: string, rel: string): string | null {
  if (rel.includes('\0') || rel.includes('\\')) return null
  const full = resolvePath(root, '.' + '/' + rel)
  return isInside(root, full) ? full : null
}

/** Handler serving files below `root`, named by the catch-all parameter `param` (Hertz's `Static`). */
export function staticDirHandler (root: string, param: string): FileHandler {
  const rootAbs = resolvePath(root)
  let realRoot: string | null = null
  return async function staticDir (_ctx, c) {
    const full = resolveInside(rootAbs, c.param(param))
    if (full === null) { notFound(c); return }
    let real: string
    try {
      if (realRoot === null) realRoot = await fsp.realpath(rootAbs)
      real = await fsp.realpath(full)
    } catch {
      notFound(c)
      return
    }
    // A symlink inside the root must not lead out of it.
    if (!isInside(realRoot, real)) { notFound(c); return }
    await sendFile(c, real)
  }
}
