import { tmpdir } from 'node:os'
import type { TlsOptions } from 'node:tls'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { MultipartLimits } from '../context/multipart.js'

/** Resolved server configuration. Durations are milliseconds; 0 disables a timeout. */
export interface Options {
  /** `host:port`, `:port` or, with network `unix`, a socket path. Hertz's default is `:8888`. */
  addr: string
  /** `tcp` (dual stack), `tcp4`, `tcp6` or `unix`. */
  network: 'tcp' | 'tcp4' | 'tcp6' | 'unix'
  /** Prefix under which every route of the engine is registered. */
  basePath: string
  /** Time to receive a whole request (headers and body) before answering 408. */
  readTimeout: number
  /** Time to receive the request headers; defaults to min(60 s, readTimeout). */
  readHeaderTimeout: number
  /** Time a keep-alive connection may sit idle between requests. 0 turns keep-alive off, as in Hertz. */
  idleTimeout: number
  /** TCP keep-alive probe interval for accepted sockets; 0 turns the probes off. */
  keepAliveTimeout: number
  /** Time `shutdown()` waits for hooks and in-flight requests before closing everything. */
  exitWaitTime: number
  /** Largest request body read into memory; a larger one is answered 413. */
  maxRequestBodySize: number
  /** Largest request head (request line + headers); a larger one is answered 431. */
  maxHeaderBytes: number
  /** Answer 405 (and run the noMethod chain) when another method matches the path. */
  handleMethodNotAllowed: boolean
  /** Redirect `/foo/` to `/foo` (or back) when only the other form is routed: 301 for GET, 307 otherwise. */
  redirectTrailingSlash: boolean
  /** Redirect to the case-corrected path when only a differently cased route exists. */
  redirectFixedPath: boolean
  /** Leave the request body unread until a handler asks for it (`c.body()` / `c.requestBodyStream()`). */
  streamRequestBody: boolean
  /** Keep connections alive between requests. */
  keepAlive: boolean
  /** Omit the `Date` response header. */
  disableDefaultDate: boolean
  /** Omit the default `Content-Type: text/plain; charset=utf-8` on responses that set none. */
  disableDefaultContentType: boolean
  /** Omit the `Server: hertz` response header. */
  disableDefaultServerHeader: boolean
  /** Limits on multipart bodies (parts, files, field size, in-memory file bytes, where the rest goes). */
  multipartLimits: MultipartLimits
  /** Processes `spin()` serves with (node:cluster): 1 serves in this process, 0 runs one worker per core. */
  workers: number
  /** Route by the path as sent (not percent-decoded, not cleaned) instead of the decoded one. */
  useRawPath: boolean
  /** With `useRawPath`: percent-decode parameter values (Go's `url.QueryUnescape`: `+` is a space). */
  unescapePathValues: boolean
  /** With `useRawPath`: clean the path before routing (`//`, `.` and `..` resolved). */
  removeExtraSlash: boolean
  /** Serve HTTPS (and `wss://` upgrades) with these node:tls options; null serves plain HTTP. */
  tls: TlsOptions | null
}

/** A server option, as returned by the `with*` functions and passed to `server.New` / `server.Default`. */
export interface Option {
  /** Applies the option to a configuration being built. */
  readonly apply: (o: Options) => void
}

const MINUTE = 60_000

/** Builds the configuration from the defaults (Hertz's) and the given options, in order. */
export function newOptions (opts: readonly Option[]): Options {
  const o: Options = {
    addr: ':8888',
    network: 'tcp',
    basePath: '/',
    readTimeout: 3 * MINUTE,
    readHeaderTimeout: -1,
    idleTimeout: -1,
    keepAliveTimeout: MINUTE,
    exitWaitTime: 5000,
    maxRequestBodySize: 4 << 20,
    maxHeaderBytes: 1 << 20,
    handleMethodNotAllowed: false,
    redirectTrailingSlash: true,
    redirectFixedPath: false,
    streamRequestBody: false,
    keepAlive: true,
    disableDefaultDate: false,
    disableDefaultContentType: false,
    disableDefaultServerHeader: false,
    multipartLimits: { maxParts: 1000, maxFiles: 100, maxFieldSize: 1 << 20, maxMemory: 16 << 20, tempDir: tmpdir() },
    workers: 1,
    useRawPath: false,
    unescapePathValues: true,
    removeExtraSlash: false,
    tls: null
  }
  for (const opt of opts) {
    if (opt === null || typeof opt !== 'object' || typeof opt.apply !== 'function') {
      throw new HertzError(HertzErrorCode.BAD_OPTION, 'server option must come from a server.with* function')
    }
    opt.apply(o)
  }
  parseHostPorts(o.addr, o.network)
  // Hertz's idle timeout follows the read timeout unless set on its own.
  if (o.idleTimeout < 0) o.idleTimeout = o.readTimeout
  if (o.readHeaderTimeout < 0) {
    o.readHeaderTimeout = o.readTimeout === 0 ? 60_000 : Math.min(60_000, o.readTimeout)
  } else if (o.readTimeout > 0 && (o.readHeaderTimeout === 0 || o.readHeaderTimeout > o.readTimeout)) {
    // node:http insists that the header deadline lies inside the request deadline.
    o.readHeaderTimeout = o.readTimeout
  }
  return o
}

function duration (name: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new HertzError(HertzErrorCode.BAD_OPTION, `${name}: expected a duration in milliseconds >= 0, got ${String(ms)}`)
  }
  return Math.floor(ms)
}

function size (name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw new HertzError(HertzErrorCode.BAD_OPTION, `${name}: expected a positive integer, got ${String(n)}`)
  }
  return n
}

function flag (name: string, b: unknown): boolean {
  if (typeof b !== 'boolean') {
    throw new HertzError(HertzErrorCode.BAD_OPTION, `${name}: expected a boolean, got ${String(b)}`)
  }
  return b
}

function option (apply: (o: Options) => void): Option {
  return { apply }
}

/** Parsed listen address. */
export interface ListenTarget { host: string | undefined, port: number, path: string | undefined }

/** A `host:port` address split into its parts; `host` is `''` for "every interface" (`:8080`). */
export interface HostPort {
  /** The host name or IP address, without brackets; `''` for every interface. */
  host: string
  /** The port number; `0` asks the system for a free one. */
  port: number
}

/** How {@link splitHostPort} reads the port. */
export interface SplitHostPortOptions {
  /** Accept an empty port (`host:`) as port 0, as Go's listeners do. Default false: the port must be given. */
  emptyPortIsZero?: boolean
}

/**
 * Splits `host:port`, `[v6]:port` or `:port` with Go's `net.SplitHostPort` rules (brackets are removed from an
 * IPv6 host), the port being a decimal number in 0..65535. The one host:port parser of the project: the server's
 * listen address, the examples' and the benchmark's `--addr` flags.
 *
 * @param addr - the address
 * @param opts - how to read the port
 * @throws HertzError `HERTZ_ERR_BAD_OPTION`, with Go's message (`address h:x: invalid port`, `address h: missing
 *   port in address`, `too many colons in address`, `missing ']' in address`, `unexpected bracket in address`)
 */
export function splitHostPort (addr: string, opts: SplitHostPortOptions = {}): HostPort {
  const bad = (reason: string): HertzError => new HertzError(HertzErrorCode.BAD_OPTION, `address ${addr}: ${reason}`)
  const colon = addr.lastIndexOf(':')
  if (colon < 0) throw bad('missing port in address')
  let host = addr.slice(0, colon)
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) throw bad('missing \']\' in address')
    host = host.slice(1, -1)
  } else if (host.includes(':')) {
    throw bad('too many colons in address')
  } else if (host.includes('[') || host.includes(']')) {
    throw bad('unexpected bracket in address')
  }
  const portText = addr.slice(colon + 1)
  if (portText === '' && opts.emptyPortIsZero === true) return { host, port: 0 }
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port > 65535) throw bad('invalid port')
  return { host, port }
}

/**
 * Splits `host:port`, `:port`, `[v6]:port` into a listen target. Throws `HERTZ_ERR_BAD_OPTION` on anything else.
 * An empty host means every interface, as in Go.
 */
export function parseHostPorts (addr: string, network: Options['network'] = 'tcp'): ListenTarget {
  if (network === 'unix') {
    if (addr === '') throw new HertzError(HertzErrorCode.BAD_OPTION, 'unix socket path is empty')
    return { host: undefined, port: 0, path: addr }
  }
  const { host, port } = splitHostPort(addr, { emptyPortIsZero: true })
  if (host === '') return { host: network === 'tcp4' ? '0.0.0.0' : network === 'tcp6' ? '::' : undefined, port, path: undefined }
  return { host, port, path: undefined }
}

/** Address to listen on: `':8080'`, `'127.0.0.1:0'`, `'[::1]:8080'` (or a path with `withNetwork('unix')`). */
export function withHostPorts (hp: string): Option {
  if (typeof hp !== 'string') throw new HertzError(HertzErrorCode.BAD_OPTION, 'withHostPorts: expected a string')
  return option(o => { o.addr = hp })
}

/** Network to listen on: `tcp`, `tcp4`, `tcp6` or `unix`. */
export function withNetwork (nw: Options['network']): Option {
  if (nw !== 'tcp' && nw !== 'tcp4' && nw !== 'tcp6' && nw !== 'unix') {
    throw new HertzError(HertzErrorCode.BAD_OPTION, `withNetwork: unsupported network ${String(nw)}`)
  }
  return option(o => { o.network = nw })
}

/** Prefix for every route of the engine; a missing leading or trailing slash is added, as Hertz does. */
export function withBasePath (basePath: string): Option {
  if (typeof basePath !== 'string') throw new HertzError(HertzErrorCode.BAD_OPTION, 'withBasePath: expected a string')
  let p = basePath.startsWith('/') ? basePath : '/' + basePath
  if (!p.endsWith('/')) p += '/'
  return option(o => { o.basePath = p })
}

/** Time allowed to receive a whole request (ms, 0 = none). Default 3 minutes. */
export function withReadTimeout (ms: number): Option {
  const v = duration('withReadTimeout', ms)
  return option(o => { o.readTimeout = v })
}

/** Time allowed to receive the request headers (ms). Default min(60 s, read timeout). */
export function withReadHeaderTimeout (ms: number): Option {
  const v = duration('withReadHeaderTimeout', ms)
  return option(o => { o.readHeaderTimeout = v })
}

/** Idle time allowed between keep-alive requests (ms). Default: the read timeout. 0 closes after each response. */
export function withIdleTimeout (ms: number): Option {
  const v = duration('withIdleTimeout', ms)
  return option(o => { o.idleTimeout = v })
}

/** TCP keep-alive probe interval (ms, 0 = off). Default 1 minute. */
export function withKeepAliveTimeout (ms: number): Option {
  const v = duration('withKeepAliveTimeout', ms)
  return option(o => { o.keepAliveTimeout = v })
}

/** Longest graceful shutdown (ms). Default 5 seconds. */
export function withExitWaitTime (ms: number): Option {
  const v = duration('withExitWaitTime', ms)
  return option(o => { o.exitWaitTime = v })
}

/** Largest buffered request body in bytes (413 above). Default 4 MiB. */
export function withMaxRequestBodySize (bytes: number): Option {
  const v = size('withMaxRequestBodySize', bytes)
  return option(o => { o.maxRequestBodySize = v })
}

/**
 * Limits on multipart bodies, merged over the defaults: `maxParts` 1000, `maxFiles` 100, `maxFieldSize` 1 MiB,
 * `maxMemory` 16 MiB (file bytes kept in memory per request; more goes to temporary files in `tempDir`, the OS
 * temp directory by default). A body over a limit makes `c.multipartForm()` reject with `HERTZ_ERR_MULTIPART_LIMIT`
 * (answered 400); the body as a whole stays within `withMaxRequestBodySize`.
 */
export function withMultipartLimits (limits: Partial<MultipartLimits>): Option {
  if (limits === null || typeof limits !== 'object') {
    throw new HertzError(HertzErrorCode.BAD_OPTION, 'withMultipartLimits: expected an object of limits')
  }
  const checked: Partial<MultipartLimits> = {}
  for (const k of ['maxParts', 'maxFiles', 'maxFieldSize'] as const) {
    if (limits[k] !== undefined) checked[k] = size('withMultipartLimits.' + k, limits[k])
  }
  if (limits.maxMemory !== undefined) {
    const m = limits.maxMemory
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 0) {
      throw new HertzError(HertzErrorCode.BAD_OPTION, `withMultipartLimits.maxMemory: expected an integer >= 0, got ${String(m)}`)
    }
    checked.maxMemory = m
  }
  if (limits.tempDir !== undefined) {
    if (typeof limits.tempDir !== 'string' || limits.tempDir === '') {
      throw new HertzError(HertzErrorCode.BAD_OPTION, 'withMultipartLimits.tempDir: expected a directory path')
    }
    checked.tempDir = limits.tempDir
  }
  return option(o => { o.multipartLimits = { ...o.multipartLimits, ...checked } })
}

/** Largest request head in bytes (431 above). Default 1 MiB. */
export function withMaxHeaderBytes (bytes: number): Option {
  const v = size('withMaxHeaderBytes', bytes)
  return option(o => { o.maxHeaderBytes = v })
}

/** Answer 405 when the path is routed for another method. Default off. */
export function withHandleMethodNotAllowed (b: boolean): Option {
  const v = flag('withHandleMethodNotAllowed', b)
  return option(o => { o.handleMethodNotAllowed = v })
}

/** Redirect to the other trailing-slash form when only that one is routed. Default on. */
export function withRedirectTrailingSlash (b: boolean): Option {
  const v = flag('withRedirectTrailingSlash', b)
  return option(o => { o.redirectTrailingSlash = v })
}

/** Redirect to the case-corrected path when only that one is routed. Default off. */
export function withRedirectFixedPath (b: boolean): Option {
  const v = flag('withRedirectFixedPath', b)
  return option(o => { o.redirectFixedPath = v })
}

/** Leave request bodies unread for handlers to stream. Default off (bodies are buffered before the chain). */
export function withStreamBody (b: boolean): Option {
  const v = flag('withStreamBody', b)
  return option(o => { o.streamRequestBody = v })
}

/** Keep connections alive between requests. Default on. */
export function withKeepAlive (b: boolean): Option {
  const v = flag('withKeepAlive', b)
  return option(o => { o.keepAlive = v })
}

/** Omit the `Date` header. Default off. */
export function withDisableDefaultDate (b: boolean): Option {
  const v = flag('withDisableDefaultDate', b)
  return option(o => { o.disableDefaultDate = v })
}

/** Omit the default `Content-Type`. Default off. */
export function withDisableDefaultContentType (b: boolean): Option {
  const v = flag('withDisableDefaultContentType', b)
  return option(o => { o.disableDefaultContentType = v })
}

/** Omit the `Server: hertz` header. Default off. */
export function withDisableDefaultServerHeader (b: boolean): Option {
  const v = flag('withDisableDefaultServerHeader', b)
  return option(o => { o.disableDefaultServerHeader = v })
}

/**
 * Route by the path as the client sent it instead of the decoded, cleaned one (Hertz's `WithUseRawPath`): an
 * encoded slash (`%2F`) then stays inside one parameter. Default off. `c.path()` is still the decoded path.
 */
export function withUseRawPath (b: boolean): Option {
  const v = flag('withUseRawPath', b)
  return option(o => { o.useRawPath = v })
}

/**
 * With `withUseRawPath(true)`, decode parameter values as Go's `url.QueryUnescape` does (`%2F` becomes `/`, `+` a
 * space; a value with a malformed escape is kept as sent). Default on; without the raw path values are always
 * decoded.
 */
export function withUnescapePathValues (b: boolean): Option {
  const v = flag('withUnescapePathValues', b)
  return option(o => { o.unescapePathValues = v })
}

/**
 * With `withUseRawPath(true)`, clean the raw path before routing (`//` collapsed, `.` and `..` resolved), so that a
 * parameter is found despite extra slashes. Default off; without the raw path the routed path is always clean.
 */
export function withRemoveExtraSlash (b: boolean): Option {
  const v = flag('withRemoveExtraSlash', b)
  return option(o => { o.removeExtraSlash = v })
}

/**
 * Serve HTTPS with these node:tls options (`key`, `cert`, `ca`, `minVersion`, ...; Hertz's `WithTLS`). Upgrade
 * requests arrive over TLS as well, so WebSocket endpoints answer `wss://`. A plain-HTTP request to the port gets
 * no answer, as in Hertz.
 */
export function withTLS (options: TlsOptions): Option {
  if (options === null || typeof options !== 'object') throw new HertzError(HertzErrorCode.BAD_OPTION, 'withTLS: expected node:tls options')
  const v = { ...options }
  return option(o => { o.tls = v })
}

/**
 * Serve with `n` worker processes on node:cluster (`0`: one per core, `os.availableParallelism()`). Default 1: the
 * server runs in this process, as before. Only `spin()` forks: the primary runs no plugin, hook or route, every
 * worker runs the whole app and serves the same address; a worker that dies is restarted with backoff, a crash loop
 * stops the primary with exit code 1, and a signal to the primary shuts every worker down gracefully.
 */
export function withWorkers (n: number): Option {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new HertzError(HertzErrorCode.BAD_OPTION, `withWorkers: expected an integer >= 0, got ${String(n)}`)
  }
  return option(o => { o.workers = n })
}
