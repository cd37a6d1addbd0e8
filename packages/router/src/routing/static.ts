import { createReadStream, promises as fsp } from 'node:fs'
import { createGzip } from 'node:zlib'
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
import { parseByteRange } from './byte-range.js'

/** How {@link sendFile} answers (Hertz's `FS` switches). */
export interface SendFileOptions {
  /** Answer `Range: bytes=...` with a 206 (416 when unsatisfiable) and say `Accept-Ranges: bytes`. */
  acceptByteRange?: boolean
  /** Gzip a compressible file for a client that accepts it (never a range). */
  compress?: boolean
}

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|x-javascript|wasm)|image\/svg\+xml)/

function acceptsGzip (c: FileContext): boolean {
  const ae = c.req.headers['accept-encoding']
  return typeof ae === 'string' && /(^|,)\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*(,|$))[\d.]+)?\s*(,|$)/i.test(ae)
}

/**
 * True when `opts` compress and the request lets an answer be gzipped: its Accept-Encoding allows gzip, and it is
 * neither a range request (a range counts bytes of the file, not of its gzip) nor a HEAD.
 */
export function mayGzip (c: FileContext, opts: SendFileOptions): boolean {
  return opts.compress === true && c.req.headers.range === undefined && c.req.method !== 'HEAD' && acceptsGzip(c)
}

/** True when `full` is `root` or lies below it. */
export function isInside (root: string, full: string): boolean {
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
export async function sendFile (c: FileContext, file: string, opts: SendFileOptions = {}): Promise<void> {
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
  const head = c.req.method === 'HEAD'
  let start = 0
  let end = st.size - 1
  const range = c.req.headers.range
  if (opts.acceptByteRange === true) c.response.header.set('Accept-Ranges', 'bytes')
  if (opts.acceptByteRange === true && range !== undefined) {
    const r = parseByteRange(range, st.size)
    if (r === null) {
      c.abortWithMsg('Range Not Satisfiable', 416)
      c.response.header.set('Content-Range', `bytes */${st.size}`)
      return
    }
    ;[start, end] = r
    c.setStatusCode(206)
    c.response.header.set('Content-Range', `bytes ${start}-${end}/${st.size}`)
  } else if (st.size > 0 && COMPRESSIBLE.test(type) && mayGzip(c, opts)) {
    c.response.header.set('Content-Encoding', 'gzip')
    c.response.header.set('Vary', 'Accept-Encoding')
    c.setBodyStream(createReadStream(file, { start: 0, end: st.size - 1 }).pipe(createGzip()), -1)
    return
  }
  // Read no further than the length announced: bytes appended meanwhile would reach the client as the start of
  // the next response. A file that shrank ends the stream early, and the writer cuts the connection.
  const size = end - start + 1
  const body = head || size === 0 ? Readable.from([]) : createReadStream(file, { start, end })
  c.setBodyStream(body, size)
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
