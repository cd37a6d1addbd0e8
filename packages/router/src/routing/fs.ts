import { promises as fsp } from 'node:fs'
import { join, resolve as resolvePath } from 'node:path'
import type { HandlerFunc, RequestContext } from '../context/request-context.js'
import { isInside, resolveInside, sendFile } from './static.js'
import { dirIndexPage } from './dir-index.js'

/** Computes the file path (below `FS.root`) for a request (Hertz's `PathRewriteFunc`). */
export type PathRewriteFunc = (c: RequestContext) => string

/**
 * How a `staticFS` route serves files from a directory (Hertz's `app.FS`). As in Hertz the file is looked up as
 * `root` + the request path (`c.path()`), so `h.staticFS('/assets', { root: './public' })` serves
 * `./public/assets/...`; give `pathRewrite: newPathSlashesStripper(1)` to serve `./public/...` instead.
 */
export interface FS {
  /** Directory to serve from; '' or absent = the working directory (as Hertz's empty `Root`). */
  root?: string
  /** File names tried, in order, when a directory is asked for (`index.html`). Default none. */
  indexNames?: readonly string[]
  /** Answer a directory without an index file with a listing of its entries. Default off (403). */
  generateIndexPages?: boolean
  /** Gzip compressible files (text, JSON, JS, XML, SVG) for clients that accept it. Default off. */
  compress?: boolean
  /** Serve `Range: bytes=` requests (206 / 416) and announce `Accept-Ranges: bytes`. Default off. */
  acceptByteRange?: boolean
  /** The path below `root` to serve for a request; default `c.path()`. */
  pathRewrite?: PathRewriteFunc
  /** Runs, with status 404 preset, instead of the `Cannot open requested path` answer. */
  pathNotFound?: HandlerFunc
}

function stripTrailingSlashes (p: string): string {
  let end = p.length
  while (end > 0 && p.charCodeAt(end - 1) === 47) end--
  return p.slice(0, end)
}

/**
 * A `PathRewriteFunc` dropping the first `n` segments of the path (Hertz's `NewPathSlashesStripper`):
 * with `n = 1`, `/assets/css/a.css` becomes `/css/a.css`.
 */
export function newPathSlashesStripper (n: number): PathRewriteFunc {
  return c => stripLeadingSegments(c.path(), n)
}

/**
 * A `PathRewriteFunc` serving each virtual host from its own folder, the Host header first, then the path without
 * its first `n` segments (Hertz's `NewVHostPathRewriter`): `example.com` + `/a/b.txt` with n = 1 is
 * `/example.com/b.txt`. A host with a `/` or that is empty becomes `invalid-host`.
 */
export function newVHostPathRewriter (n: number): PathRewriteFunc {
  return c => {
    let host = c.host()
    if (host === '' || host.includes('/') || host.includes('\\') || host === '.' || host === '..') host = 'invalid-host'
    return '/' + host + stripLeadingSegments(c.path(), n)
  }
}

function stripLeadingSegments (p: string, n: number): string {
  let rest = p
  for (let i = 0; i < n; i++) {
    const next = rest.indexOf('/', 1)
    if (next < 0) return '/'
    rest = rest.slice(next)
  }
  return rest
}

async function pathNotFound (fs: FS, c: RequestContext): Promise<void> {
  if (fs.pathNotFound === undefined) {
    c.abortWithMsg('Cannot open requested path', 404)
    return
  }
  c.setStatusCode(404)
  await fs.pathNotFound(c, c)
}

/** The request handler of an {@link FS} (Hertz's `fs.NewRequestHandler()`). */
export function fsHandler (fs: FS): HandlerFunc {
  const root = resolvePath(fs.root === undefined || fs.root === '' ? '.' : fs.root)
  let realRoot: string | null = null
  const opts = { acceptByteRange: fs.acceptByteRange === true, compress: fs.compress === true }
  return async function fsRequestHandler (_ctx, c) {
    const path = stripTrailingSlashes(fs.pathRewrite === undefined ? c.path() : fs.pathRewrite(c))
    if (path.includes('\0')) { c.abortWithMsg('Are you a hacker?', 400); return }
    if (fs.pathRewrite !== undefined && (path.includes('/../') || path.endsWith('/..'))) {
      c.abortWithMsg('Internal Server Error', 500)
      return
    }
    const full = resolveInside(root, path)
    let real: string
    let stat
    try {
      if (full === null) throw new Error('outside the root')
      realRoot ??= await fsp.realpath(root)
      real = await fsp.realpath(full)
      // A symlink inside the root must not lead out of it.
      if (!isInside(realRoot, real)) throw new Error('outside the root')
      stat = await fsp.stat(real)
    } catch {
      await pathNotFound(fs, c)
      return
    }
    if (!stat.isDirectory()) {
      await sendFile(c, real, opts)
      return
    }
    for (const name of fs.indexNames ?? []) {
      const index = join(real, name)
      const st = await fsp.stat(index).catch(() => null)
      if (st !== null && st.isFile()) {
        await sendFile(c, index, opts)
        return
      }
    }
    if (fs.generateIndexPages !== true) {
      c.abortWithMsg('Directory index is forbidden', 403)
      return
    }
    c.data(200, 'text/html; charset=utf-8', await dirIndexPage(real, c.path(), real === realRoot))
  }
}
