import { posix } from 'node:path'
import { HertzError, ErrorCodes } from '../errors.js'
import { staticDirHandler, staticFileHandler } from './static.js'
import type { HandlerFunc } from '../types.js'
import type { Engine } from '../server/engine.js'

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

/** @internal throws `HERTZ_ERR_BAD_HANDLER` unless every entry is a function; returns the list typed. */
export function checkHandlers (handlers: readonly unknown[]): HandlerFunc[] {
  for (const h of handlers) {
    if (typeof h !== 'function') throw new HertzError(ErrorCodes.HERTZ_ERR_BAD_HANDLER, `handler must be a function, got ${typeof h}`)
  }
  return handlers as HandlerFunc[]
}

/**
 * A set of routes sharing a path prefix and middleware (Hertz's `RouterGroup`). Middleware added with `use` applies
 * to routes registered after it, as in Hertz. Every registration funnels through `engine.addRoute`, so a scope
 * that wraps a group (a plugin `register(fn, { prefix })`) sees all of them.
 */
export class RouterGroup {
  /** Middleware of this group (prefix of every route's chain). */
  handlers: HandlerFunc[]
  /** @internal */
  protected readonly prefix: string
  /** @internal */
  protected engineRef: Engine | null

  /** @internal */
  constructor (engine: Engine | null, basePath: string, handlers: HandlerFunc[]) {
    this.engineRef = engine
    this.prefix = basePath
    this.handlers = handlers
  }

  /** @internal */
  protected get engine (): Engine {
    return this.engineRef as Engine
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
      throw new HertzError(ErrorCodes.HERTZ_ERR_BAD_METHOD, `http method ${String(httpMethod)} is not valid`)
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

  /** Serves the file `filepath` for GET and HEAD at `relativePath`. */
  staticFile (relativePath: string, filepath: string): this {
    if (/[:*]/.test(relativePath)) {
      throw new HertzError(ErrorCodes.HERTZ_ERR_BAD_ROUTE, 'URL parameters can not be used when serving a static file')
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
      throw new HertzError(ErrorCodes.HERTZ_ERR_BAD_ROUTE, 'URL parameters can not be used when serving a static folder')
    }
    const handler = staticDirHandler(root, 'filepath')
    const pattern = posix.join(relativePath, '/*filepath')
    this.add('GET', pattern, [handler])
    return this.add('HEAD', pattern, [handler])
  }

  private add (method: string, relativePath: string, handlers: readonly HandlerFunc[]): this {
    const absolutePath = this.calculateAbsolutePath(relativePath)
    this.engine.addRoute(method, absolutePath, this.combineHandlers(checkHandlers(handlers)))
    return this
  }

  /** @internal group middleware followed by `handlers`, as a fresh array. */
  combineHandlers (handlers: readonly HandlerFunc[]): HandlerFunc[] {
    return this.handlers.concat(handlers)
  }

  /** @internal */
  calculateAbsolutePath (relativePath: string): string {
    if (typeof relativePath !== 'string') {
      throw new HertzError(ErrorCodes.HERTZ_ERR_BAD_ROUTE, `route path must be a string, got ${typeof relativePath}`)
    }
    return joinPaths(this.prefix, relativePath)
  }
}
