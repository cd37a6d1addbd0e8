import { STATUS_CODES } from 'node:http'
import { HertzErrorCode, type HijackConn, type RequestContext } from '@hertz-node/router'
import { acceptConn, acceptHeaders, agree, askOrigin, refusalError, runErrorWriter, type UpgraderSettings } from '../handshake/accept.js'
import type { BufferPool } from '../conn/buffer-pool.js'
import { connFlushed, type Conn } from '../conn/conn.js'
import { defaultMaxBufferedChunks, defaultMaxFragments, defaultMaxWriteQueueBytes } from '../constants.js'
import { HertzUpgraderDeprecationCode, WsCompatErrorCode } from '../errors.js'
import {
  APP_EXTENSIONS_UNSUPPORTED,
  BAD_HANDSHAKE,
  checkSameOrigin,
  firstHeader,
  headerLines,
  rawHeaderContainsToken,
  SHUTTING_DOWN,
  UNSUPPORTED_VERSION,
} from '../handshake/rules.js'

/** Receives the connection once the handshake is done (hertz-contrib's `HertzHandler`). */
export type HertzHandler = (conn: Conn) => void | Promise<void>

/** hertz-contrib's `HertzUpgrader.Error`: writes the error response of a refused handshake on `c`. */
export type HertzUpgraderErrorHandler = (c: RequestContext, status: number, reason: Error) => void

/** hertz-contrib's seven options and this package's limits, all optional, for `new HertzUpgrader({ ... })`. */
export interface HertzUpgraderOptions extends Partial<UpgraderSettings> {
  /** Writes the error response; default: `Sec-Websocket-Version: 13` and `c.abortWithMsg(statusText, status)`. */
  error?: HertzUpgraderErrorHandler | undefined
  /** Tells whether the request's `Origin` is acceptable; default: {@link fastHTTPCheckSameOrigin}. */
  checkOrigin?: ((c: RequestContext) => boolean | Promise<boolean>) | undefined
}

/** Hertz's own guide, and this project's walk-through of it in TypeScript. */
const MIGRATION_GUIDE = 'https://www.cloudwego.io/docs/hertz/tutorials/third-party/protocol/websocket/'
// The repository of package.json's `repository` field; the file sits at its root.
const MIGRATION_GUIDE_TS = 'https://github.com/hertz-node/hertz-node/blob/main/MIGRATION.md'
let warned = false

function warnDeprecated (): void {
  if (warned) return
  warned = true
  process.emitWarning(
    'HertzUpgrader (hertz-contrib/websocket) is deprecated: use Upgrader through adaptor.handler instead.',
    {
      type: 'DeprecationWarning',
      code: HertzUpgraderDeprecationCode,
      detail: `Migration guide: ${MIGRATION_GUIDE} (the same steps in TypeScript: ${MIGRATION_GUIDE_TS})`,
    }
  )
}

/**
 * The seed's default `CheckOrigin`: allowed without an `Origin` header, refused when it does not parse,
 * otherwise allowed only when its host equals the request's host (ASCII case-insensitively).
 *
 * @param c - the request context
 */
export function fastHTTPCheckSameOrigin (c: RequestContext): boolean {
  const raw = c.req.rawHeaders
  const origin = firstHeader(raw, 'origin')
  return checkSameOrigin(origin === '' ? undefined : origin, firstHeader(raw, 'host'))
}

/**
 * **Deprecated** - the hijack-based upgrader of hertz-contrib/websocket, kept so that code written for it
 * ports line by line. New code uses {@link Upgrader} through `adaptor.handler`. The first construction in a
 * process emits one `DeprecationWarning` (code `WS_COMPAT_DEP_HERTZ_UPGRADER`).
 *
 * @example
 * const upgrader = new HertzUpgrader()
 * h.GET('/echo', async (_ctx, c) => {
 *   try {
 *     await upgrader.upgrade(c, async (conn) => {
 *       for (;;) { const [mt, message] = await conn.readMessage(); await conn.writeMessage(mt, message) }
 *     })
 *   } catch (err) { console.log('upgrade:', err) }
 * })
 *
 * @deprecated Use `Upgrader` with `adaptor.handler`.
 */
export class HertzUpgrader implements UpgraderSettings {
  /** Accepted so that gorilla option sets port unchanged; no effect: Node reads sockets into buffers of its own. */
  readBufferSize = 0
  /** Write buffer size in bytes; `0` picks the default. The size does not limit message size. */
  writeBufferSize = 0
  /**
   * Pool of write buffers. Without one, each connection keeps its write buffer for its lifetime. Use a
   * single pool for all connections.
   */
  writeBufferPool: BufferPool | undefined = undefined
  /**
   * Protocols the server supports, in order of preference. When set, `upgrade` picks the first protocol of
   * this list that the client asked for (none when nothing matches). When unset, a `Sec-WebSocket-Protocol`
   * already set on `c.response` is kept.
   */
  subprotocols: string[] | undefined = undefined
  /** Writes the error response of a refused handshake on `c`. */
  error: HertzUpgraderErrorHandler | undefined = undefined
  /**
   * Tells whether the request's `Origin` is acceptable; default {@link fastHTTPCheckSameOrigin}. A policy
   * that throws (or returns a Promise that rejects) refuses with 403, its error kept as the `cause`.
   */
  checkOrigin: ((c: RequestContext) => boolean | Promise<boolean>) | undefined = undefined
  /** Try to negotiate per-message compression ("no context takeover" only); not a guarantee. */
  enableCompression = false
  /**
   * Frames one received message may arrive in (`ws`'s `maxFragments`); `0` means no limit. Each fragment
   * costs memory however small, so a message past this closes the connection with 1008 and fails the read
   * with `WS_COMPAT_ERR_FRAGMENT_LIMIT`.
   */
  maxFragments = defaultMaxFragments
  /**
   * Socket chunks one received frame may be buffered in before it is complete (`ws`'s `maxBufferedChunks`);
   * `0` means no limit. Past it, close 1008 and `WS_COMPAT_ERR_FRAGMENT_LIMIT`, as for `maxFragments`.
   */
  maxBufferedChunks = defaultMaxBufferedChunks
  /**
   * Bytes a connection's writes may hold before they are taken by the kernel (a peer that does not read
   * leaves them queued); `0` means no limit. A write that would go past it is refused with
   * `WS_COMPAT_ERR_WRITE_QUEUE_FULL` and nothing is sent; an empty queue takes a message of any size, and close
   * frames always go.
   */
  maxWriteQueueBytes = defaultMaxWriteQueueBytes

  /** @param options - initial field values; every field stays writable */
  constructor (options: HertzUpgraderOptions = {}) {
    warnDeprecated()
    Object.assign(this, options)
  }

  /**
   * Validates the handshake in hertz-contrib's order - method GET (405), `Connection: upgrade` (400),
   * `Upgrade: websocket` (400), version 13 (400), no `Sec-WebSocket-Extensions` already on `c.response`
   * (500), origin (403), non-empty `Sec-WebSocket-Key` (400), the router not shutting down (503) - then sets
   * the 101 and its headers on `c.response` and registers `handler` with `c.hijack`.
   *
   * As in Hertz, the promise resolves **before** `handler` runs: the router writes the 101 when the handler
   * chain ends, then calls `handler(conn)`; the connection closes when `handler` settles. A refusal is
   * written on `c` (see {@link HertzUpgrader.error}) and the promise rejects with a `WsCompatError`
   * (`WS_COMPAT_ERR_HANDSHAKE`, `status` set) carrying hertz-contrib's message.
   *
   * @param c - the request context of an upgrade request
   * @param handler - runs with the connection after the 101 is written
   */
  async upgrade (c: RequestContext, handler: HertzHandler): Promise<void> {
    // The request's raw header lines, read in place as fasthttp's Peek reads them (first value): node:http is
    // not asked to build `req.headers` for a handshake.
    const raw = c.req.rawHeaders
    if (c.method() !== 'GET') {
      return this.refuse(c, 405, `${BAD_HANDSHAKE} request method is not GET`)
    }
    if (!rawHeaderContainsToken(raw, 'connection', 'upgrade')) {
      return this.refuse(c, 400, `${BAD_HANDSHAKE} 'upgrade' token not found in 'Connection' header`)
    }
    if (!rawHeaderContainsToken(raw, 'upgrade', 'websocket')) {
      return this.refuse(c, 400, `${BAD_HANDSHAKE} 'websocket' token not found in 'Upgrade' header`)
    }
    if (!rawHeaderContainsToken(raw, 'sec-websocket-version', '13')) {
      return this.refuse(c, 400, UNSUPPORTED_VERSION)
    }
    if (c.response.header.peek('Sec-Websocket-Extensions') !== '') {
      return this.refuse(c, 500, APP_EXTENSIONS_UNSUPPORTED)
    }
    // A plain boolean policy (the default among them) keeps the upgrade synchronous up to c.hijack.
    const verdict = askOrigin(this.checkOrigin ?? fastHTTPCheckSameOrigin, c)
    const allowed = verdict instanceof Promise ? await verdict : verdict
    if (allowed !== true) {
      return this.refuse(c, 403, ORIGIN_REFUSED, allowed === false ? undefined : allowed.error)
    }
    const challengeKey = firstHeader(raw, 'sec-websocket-key') ?? ''
    if (challengeKey === '') {
      return this.refuse(c, 400, "websocket: not a websocket handshake: `Sec-WebSocket-Key' header is missing or blank")
    }

    // The router refuses a hijack that completes during a graceful shutdown; saying so here rejects the promise too.
    if (c.engine.isClosing()) {
      return this.refuse(c, 503, SHUTTING_DOWN)
    }

    const agreement = agree(this, {
      preference: 'server',
      clientProtocols: this.subprotocols === undefined ? undefined : headerLines(raw, 'sec-websocket-protocol')?.join(', '),
      clientExtensions: this.enableCompression ? headerLines(raw, 'sec-websocket-extensions') : undefined,
      appProtocol: c.response.header.peek('Sec-Websocket-Protocol'),
    })
    c.setStatusCode(101)
    const accept = acceptHeaders(challengeKey, agreement)
    for (let i = 0; i < accept.length; i += 2) c.response.header.set(accept[i]!, accept[i + 1]!)
    c.hijack((netConn: HijackConn) =>
      serveConn(handler, acceptConn(this, agreement, { socket: netConn.socket, head: netConn.head, netConn, timeoutOf: routerTimeout })))
  }

  private async refuse (c: RequestContext, status: number, reason: string, cause?: unknown): Promise<never> {
    const refusal = { status, reason, code: WsCompatErrorCode.HANDSHAKE, cause }
    const err = refusalError(refusal)
    const onError = this.error
    if (onError !== undefined) {
      const failure = await runErrorWriter(() => onError(c, status, err))
      if (failure === undefined) throw err
      defaultRefusal(c, status)
      throw refusalError(refusal, failure)
    }
    defaultRefusal(c, status)
    throw err
  }
}

/**
 * Runs the application's handler on the connection. When it settles the router closes the hijacked conn, so
 * frames the handler queued without awaiting them (a message still being compressed, the close frame behind
 * it) are first let out.
 */
function serveConn (handler: HertzHandler, conn: Conn): Promise<void> {
  // Promise chains rather than an async function: this frame lives as long as the connection, and a suspended
  // async function costs an idle connection several hundred bytes more. With nothing left to flush (nearly
  // always) the callbacks return no Promise, which the chain would have to adopt.
  let result: unknown
  try {
    result = handler(conn)
  } catch (err) {
    return flushThenThrow(conn, err)
  }
  return Promise.resolve(result).then(() => connFlushed(conn), (err: unknown) => flushThenThrow(conn, err))
}

/** The handler failed: its queued frames still go out, then the router logs the error and closes. */
function flushThenThrow (conn: Conn, err: unknown): Promise<never> {
  return Promise.resolve(connFlushed(conn)).then(() => { throw err })
}

/**
 * The router's hijacked conn destroys its socket with these codes when its `setReadTimeout` /
 * `setWriteTimeout` fire: reads and writes then fail with the `Conn`'s own timeout errors, as on the other path.
 */
function routerTimeout (err: Error): 'read' | 'write' | undefined {
  const code = (err as { code?: unknown }).code
  if (code === HertzErrorCode.READ_TIMEOUT) return 'read'
  if (code === HertzErrorCode.WRITE_TIMEOUT) return 'write'
  return undefined
}

const ORIGIN_REFUSED = 'websocket: request origin not allowed by HertzUpgrader.CheckOrigin'

/** hertz-contrib's answer to a refusal. */
function defaultRefusal (c: RequestContext, status: number): void {
  c.response.header.set('Sec-Websocket-Version', '13')
  c.abortWithMsg(STATUS_CODES[status] ?? String(status), status)
}
