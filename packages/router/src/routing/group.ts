import { posix } from 'node:path'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { FS, HandlerFunc } from '../context/request-context.js'
import type { EngineRef } from '../server/engine-ref.js'
import { kAddRoute } from '../symbols.js'
import { staticDirHandler } from './static.js'
import { staticFileHandler } from './serve-file.js'
import { checkFS, fsRequestHandler } from './fs-handler.js'

/** Hertz's `Any`: the nine methods it registers. */
export const ANY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'DELETE', 'CONNECT', 'TRACE'] as const

function lastChar (s: string): string {
  return s[s.length - 1] ?? ''
}

/** Joins a group prefix and a relative path as Hertz does (`path.Join`, keeping a trailing slash). */
export function joinPaths (absolutePath: string, relativePath: string): string {
  if (relativePath === '') return absolutePath
  const finalPath = posix.join(absolutePath, relativePath)
  return lastChar(relativePath) === '/' && lastChar(finalPath) !== '/' ? finalPath + '/' : finalPath
}

/** Throws `HERTZ_ERR_BAD_HANDLER` unless every entry is a function; returns the list typed. */
export function checkHandlers (handlers: readonly unknown[]): HandlerFunc[] {
  for (const h of handlers) {
    if (typeof h !== 'function') throw new HertzError(HertzErrorCode.BAD_HANDLER, `handler must be a function, got ${typeof h}`)
  }
  return handlers as HandlerFunc[]
}

/**
 * A set of routes sharing a path prefix and middleware (Hertz's `RouterGroup`). Middleware added with `use` applies
 * to routes registered after it, as in Hertz. Every registration funnels through the engine's single
 * registration point, so a scope that wraps a group (a plugin `register(fn, { prefix })`) sees all of them.
 */
export class RouterGroup {
  /** Middleware of this group (prefix of every route's chain). */
  handlers: HandlerFunc[]
  /** The group's absolute path prefix (see {@link basePath}). */
  protected readonly prefix: string
  #engine: EngineRef | null

  /**
   * Built by `h.group()` (an engine is a group too: it passes null, then {@link setEngine}s itself).
   *
   * @param engine - the engine the group registers its routes with
   * @param basePath - the group's absolute path prefix
   * @param handlers - the group's middleware
   */
  constructor (engine: EngineRef | null, basePath: string, handlers: HandlerFunc[]) {
    this.#engine = engine
    this.prefix = basePath
    this.handlers = handlers
  }

  /** The engine this group registers its routes with. */
  protected get engine (): EngineRef {
    return this.#engine as EngineRef
  }

  /** Binds an engine built as its own root group (only before the group is used). */
  protected setEngine (engine: EngineRef): void {
    this.#engine = engine
  }

  /** Adds middleware to the group. */
  use (...middleware: HandlerFunc[]): this {
    this.handlers = this.handlers.concat(checkHandlers(middleware))
    return this
  }

  /** A child group under `relativePath` whose chain starts with this group's middleware and then `handlers`. */
  group (relativePath: string, ...handlers: HandlerFunc[]): RouterGroup {
    return new RouterGroup(this.engine, this.calculateAbsolutePath(relativePath), this.combineHandlers(handlers))
  }

  /** The group's absolute path prefix. */
  basePath (): string {
    return this.prefix
  }

  /** Registers `handlers` for `httpMethod` (upper case) at `relativePath`. */
  handle (httpMethod: string, relativePath: string, ...handlers: HandlerFunc[]): this {
    if (typeof httpMethod !== 'string' || !/^[A-Z]+$/.test(httpMethod)) {
      throw new HertzError(HertzErrorCode.BAD_METHOD, `http method ${String(httpMethod)} is not valid`)
    }
    return this.add(httpMethod, relativePath, handlers)
  }

  /** Registers a GET route. */
  GET (relativePath: string, ...handlers: HandlerFunc[]): this { return this.add('GET', relativePath, handlers) }
  /** Registers a POST route. */
  POST (relativePath: string, ...handlers: HandlerFunc[]): this { return this.add('POST', relativePath, handlers) }
  /** Registers a PUT route. */
  PUT (relativePath: string, ...handlers: HandlerFunc[]): this { return this.add('PUT', relativePath, handlers) }
  /** Registers a DELETE route. */
  DELETE (relativePath: string, ...handlers: HandlerFunc[]): this { return this.add('DELETE', relativePath, handlers) }
  /** Registers a PATCH route. */
  PATCH (relativePath: string, ...handlers: HandlerFunc[]): this { return this.add('PATCH', relativePath, handlers) }
  /** Registers a HEAD route. */
  HEAD (relativePath: string, ...handlers: HandlerFunc[]): this { return this.add('HEAD', relativePath, handlers) }
  /** Registers an OPTIONS route. */
  OPTIONS (relativePath: string, ...handlers: HandlerFunc[]): this { return this.add('OPTIONS', relativePath, handlers) }

  /** Registers the route for GET, POST, PUT, PATCH, HEAD, OPTIONS, DELETE, CONNECT and TRACE. */
  any (relativePath: string, ...handlers: HandlerFunc[]): this {
    for (const m of ANY_METHODS) this.add(m, relativePath, handlers)
    return this
  }

  /**
   * Serves the file `filepath` for GET and HEAD at `relativePath` as `c.file` does (Hertz's `StaticFile`, which
   * calls `ServeFile`): byte ranges, gzip for a client that takes it, a listing when `filepath` is a directory.
   */
  staticFile (relativePath: string, filepath: string): this {
    if (/[:*]/.test(relativePath)) {
      throw new HertzError(HertzErrorCode.BAD_ROUTE, 'URL parameters can not be used when serving a static file')
    }
    const handler = staticFileHandler(filepath)
    this.add('GET', relativePath, [handler])
    return this.add('HEAD', relativePath, [handler])
  }

  /**
   * Serves files below the directory `root` for GET and HEAD under `relativePath`. Nothing outside `root` can be
   * reached: `..` (plain, encoded or with backslashes), NUL bytes and symlinks leading out all answer 404.
   */
  static (relativePath: string, root: string): this {
    if (/[:*]/.test(relativePath)) {
      throw new HertzError(HertzErrorCode.BAD_ROUTE, 'URL parameters can not be used when serving a static folder')
    }
    const handler = staticDirHandler(root, 'filepath')
    const pattern = posix.join(relativePath, '/*filepath')
    this.add('GET', pattern, [handler])
    return this.add('HEAD', pattern, [handler])
  }

  /**
   * Serves files for GET and HEAD under `relativePath` as `fs` says (Hertz's `StaticFS`): index names, directory
   * listings, byte ranges, gzip, a path rewrite. The file is `fs.root` + the request path (or the rewritten one);
   * nothing outside `fs.root` is served, symlinks leading out included.
   */
  staticFS (relativePath: string, fs: FS): this {
    if (/[:*]/.test(relativePath)) {
      throw new HertzError(HertzErrorCode.BAD_ROUTE, 'URL parameters can not be used when serving a static folder')
    }
    const handler = fsRequestHandler(checkFS(fs, 'staticFS'))
    const pattern = posix.join(relativePath, '/*filepath')
    this.add('GET', pattern, [handler])
    return this.add('HEAD', pattern, [handler])
  }

  private add (method: string, relativePath: string, handlers: readonly HandlerFunc[]): this {
    const absolutePath = this.calculateAbsolutePath(relativePath)
    this.engine[kAddRoute](method, absolutePath, this.combineHandlers(checkHandlers(handlers)))
    return this
  }

  /** Group middleware followed by `handlers`, as a fresh array. */
  protected combineHandlers (handlers: readonly HandlerFunc[]): HandlerFunc[] {
    return this.handlers.concat(handlers)
  }

  /** The absolute path of `relativePath` under this group (throws `HERTZ_ERR_BAD_ROUTE` for a non-string). */
  protected calculateAbsolutePath (relativePath: string): string {
    if (typeof relativePath !== 'string') {
      throw new HertzError(HertzErrorCode.BAD_ROUTE, `route path must be a string, got ${typeof relativePath}`)
    }
    return joinPaths(this.prefix, relativePath)
  }
}
