import { promises as fsp } from 'node:fs'
import { join, resolve as resolvePath } from 'node:path'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { Context } from '../go-context.js'
import { sendDirIndex } from './dir-index.js'
import { isInside, resolveInside, sendFile, type FileContext } from './static.js'

// The request handler of an FS (Hertz's fs.NewRequestHandler), shared by h.staticFS and c.fileFromFS. It sits
// below the request context, which calls it from c.fileFromFS, so it knows the context only by the shape below; the
// public `FS` (request-context.ts) is `FSSettings<RequestContext>`.

/** What the FS handler needs of a request context. */
export interface FSContext extends FileContext {
  /** The request path, below `root` the file served unless a `pathRewrite` says otherwise. */
  path (): string
}

/** The FS options as the handler reads them, for a context type `C` (see the public `FS`). */
export interface FSSettings<C> {
  root?: string
  indexNames?: readonly string[]
  generateIndexPages?: boolean
  compress?: boolean
  acceptByteRange?: boolean
  pathRewrite?: (c: C) => string
  pathNotFound?: (ctx: Context, c: C) => void | Promise<void>
}

/** A built FS handler. */
export type FSRequestHandler<C> = (ctx: Context, c: C) => Promise<void>

// One handler per FS object, as Hertz builds its handler once per FS: h.staticFS and every c.fileFromFS of the same
// object share it (and its resolved root) instead of building one per request.
const built = new WeakMap<object, FSRequestHandler<never>>()

/** Throws `HERTZ_ERR_BAD_OPTION` unless `fs` is an object whose `root`, if given, is a string; returns it. */
export function checkFS<T> (fs: T, where: string): T {
  const root: unknown = (fs as { root?: unknown } | null)?.root
  if (fs === null || typeof fs !== 'object' || (root !== undefined && typeof root !== 'string')) {
    throw new HertzError(HertzErrorCode.BAD_OPTION, `${where}: expected an FS whose root, if given, is a directory path`)
  }
  return fs
}

/** The request handler of `fs` (Hertz's `fs.NewRequestHandler()`), built on first use and kept for the object. */
export function fsRequestHandler<C extends FSContext> (fs: FSSettings<C>): FSRequestHandler<C> {
  let handler = built.get(fs) as FSRequestHandler<C> | undefined
  if (handler === undefined) {
    handler = newFSRequestHandler(fs)
    built.set(fs, handler as FSRequestHandler<never>)
  }
  return handler
}

function stripTrailingSlashes (p: string): string {
  let end = p.length
  while (end > 0 && p.charCodeAt(end - 1) === 47) end--
  return p.slice(0, end)
}

function newFSRequestHandler<C extends FSContext> (fs: FSSettings<C>): FSRequestHandler<C> {
  // The options as they are now, as Hertz copies them into its handler: the handler outlives later changes.
  const root = resolvePath(fs.root === undefined || fs.root === '' ? '.' : fs.root)
  const { pathRewrite, pathNotFound } = fs
  const indexNames = [...(fs.indexNames ?? [])]
  const generateIndexPages = fs.generateIndexPages === true
  const opts = { acceptByteRange: fs.acceptByteRange === true, compress: fs.compress === true }
  let realRoot: string | null = null
  const notFound = async (ctx: Context, c: C): Promise<void> => {
    if (pathNotFound === undefined) {
      c.abortWithMsg('Cannot open requested path', 404)
      return
    }
    c.setStatusCode(404)
    await pathNotFound(ctx, c)
  }
  return async function fsRequestHandler (ctx, c) {
    const path = stripTrailingSlashes(pathRewrite === undefined ? c.path() : pathRewrite(c))
    if (path.includes('\0')) { c.abortWithMsg('Are you a hacker?', 400); return }
    if (pathRewrite !== undefined && (path.includes('/../') || path.endsWith('/..'))) {
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
      await notFound(ctx, c)
      return
    }
    if (!stat.isDirectory()) {
      await sendFile(c, real, opts)
      return
    }
    for (const name of indexNames) {
      const index = join(real, name)
      const st = await fsp.stat(index).catch(() => null)
      if (st !== null && st.isFile()) {
        await sendFile(c, index, opts)
        return
      }
    }
    if (!generateIndexPages) {
      c.abortWithMsg('Directory index is forbidden', 403)
      return
    }
    await sendDirIndex(c, real, c.path(), real === realRoot, opts)
  }
}
