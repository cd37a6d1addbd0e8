import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { hijack, hijacked, isSocketShuttingDown } from '@hertz-node/adaptor'
import { acceptConn, acceptHeaders, agree, askOrigin, refusalError, runErrorWriter, type Agreement, type UpgraderSettings } from './accept.js'
import type { BufferPool } from '../conn/buffer-pool.js'
import type { Conn } from '../conn/conn.js'
import { tookEverything } from '../conn/output.js'
import { defaultMaxBufferedChunks, defaultMaxFragments, defaultMaxWriteQueueBytes } from '../constants.js'
import { WsCompatErrorCode, handshakeTimeoutError, netError } from '../errors.js'
import {
  APP_EXTENSIONS_UNSUPPORTED,
  BAD_HANDSHAKE,
  checkSameOrigin,
  equalASCIIFold,
  firstHeader,
  headerLines,
  isValidChallengeKey,
  rawHeaderContainsToken,
  SHUTTING_DOWN,
  UNSUPPORTED_VERSION,
} from './rules.js'

/** gorilla's `Upgrader.Error`: writes the HTTP error response of a refused handshake. */
export type UpgraderErrorHandler = (req: IncomingMessage, res: ServerResponse, status: number, reason: Error) => void

/** The fields of {@link Upgrader}, all optional, for `new Upgrader({ ... })`. */
export interface UpgraderOptions extends Partial<UpgraderSettings> {
  /** Milliseconds allowed for writing the 101 response; `0` means no limit. */
  handshakeTimeout?: number
  /** Writes the error response of a refused handshake; default: status text + `Sec-WebSocket-Version: 13`. */
  error?: UpgraderErrorHandler | undefined
  /** Tells whether the request's `Origin` is acceptable; default: same origin. May return a Promise. */
  checkOrigin?: ((req: IncomingMessage) => boolean | Promise<boolean>) | undefined
}

/**
 * The recommended server-side handshake, gorilla/websocket's `Upgrader` for Node's `(req, res)`: it works in
 * a handler wrapped by `adaptor.handler` inside the router and in a bare `node:http` `'upgrade'` listener
 * (through `upgradeResponse`) alike, because it takes the socket only through the adaptor's `hijack(res)`.
 *
 * @example
 * const upgrader = new Upgrader()
 * async function echo(req: IncomingMessage, res: ServerResponse) {
 *   let c: Conn
 *   try { c = await upgrader.upgrade(req, res) } catch (err) { console.log('upgrade:', err); return }
 *   try { for (;;) { const [mt, message] = await c.readMessage(); await c.writeMessage(mt, message) } }
 *   catch (err) { console.log('read:', err) } finally { c.close() }
 * }
 * h.GET('/echo', adaptor.handler(echo))
 */
export class Upgrader implements UpgraderSettings {
  /** Milliseconds allowed for writing the 101 response; `0` means no limit. */
  handshakeTimeout = 0
  /** Accepted so that gorilla option sets port unchanged; no effect: Node reads sockets into buffers of its own. */
  readBufferSize = 0
  /** Write buffer size in bytes; `0` picks the default. The size does not limit message size. */
  writeBufferSize = 0
  /**
   * Pool of write buffers. Without one, each connection keeps its write buffer for its lifetime; a pool
   * pays off with many connections that write modestly. Use one pool per `writeBufferSize`.
   */
  writeBufferPool: BufferPool | undefined = undefined
  /**
   * Protocols the server supports. When set, `upgrade` picks the client's first requested protocol that is
   * in this list (none when nothing matches: no `Sec-WebSocket-Protocol` in the response). When unset, a
   * `Sec-WebSocket-Protocol` in `responseHeader` is used as is.
   */
  subprotocols: string[] | undefined = undefined
  /**
   * Writes the HTTP error response of a refused handshake. When unset, the response is the status text
   * (`text/plain`) with `Sec-WebSocket-Version: 13`, as Go's `http.Error`.
   */
  error: UpgraderErrorHandler | undefined = undefined
  /**
   * Tells whether the request's `Origin` is acceptable. When unset, a safe default applies: refuse when an
   * `Origin` header is present and its host is not the request's `Host`. Validate carefully to prevent
   * cross-site request forgery.
   */
  checkOrigin: ((req: IncomingMessage) => boolean | Promise<boolean>) | undefined = undefined
  /**
   * Try to negotiate per-message compression (RFC 7692) when the client offers it. Only "no context
   * takeover" mode is supported; `true` does not guarantee compression.
   */
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
  constructor (options: UpgraderOptions = {}) {
    Object.assign(this, options)
  }

  /**
   * Upgrades the request to the WebSocket protocol.
   *
   * Checks, in gorilla/websocket's order: `Connection` contains `upgrade` (else 400), `Upgrade` contains
   * `websocket` (else 426 with `Upgrade: websocket`), method GET (405), `Sec-WebSocket-Version: 13` (400),
   * no `Sec-WebSocket-Extensions` in `responseHeader` (500), origin accepted (403), `Sec-WebSocket-Key` is
   * base64 of 16 bytes (400), and, inside the router, that it is not shutting down (503). A refusal is
   * answered through `res` (see {@link Upgrader.error}) and the promise rejects with a `WsCompatError`
   * (`WS_COMPAT_ERR_HANDSHAKE`, `status` set) carrying gorilla's message. On success the socket is taken
   * with `hijack(res)`, the 101 is written and the promise resolves with the connection.
   *
   * @param req - the upgrade request
   * @param res - its response, hijackable (a handler wrapped by `adaptor.handler`, or `upgradeResponse`)
   * @param responseHeader - extra headers for the 101, e.g. `Set-Cookie`; values must not contain CR/LF
   * @returns the WebSocket connection
   */
  async upgrade (req: IncomingMessage, res: ServerResponse, responseHeader?: OutgoingHttpHeaders): Promise<Conn> {
    const raw = req.rawHeaders
    if (!rawHeaderContainsToken(raw, 'connection', 'upgrade')) {
      return this.refuse(req, res, 400, BAD_HANDSHAKE + "'upgrade' token not found in 'Connection' header")
    }
    if (!rawHeaderContainsToken(raw, 'upgrade', 'websocket')) {
      if (!res.headersSent) res.setHeader('Upgrade', 'websocket')
      return this.refuse(req, res, 426, BAD_HANDSHAKE + "'websocket' token not found in 'Upgrade' header")
    }
    if (req.method !== 'GET') {
      return this.refuse(req, res, 405, BAD_HANDSHAKE + 'request method is not GET')
    }
    if (!rawHeaderContainsToken(raw, 'sec-websocket-version', '13')) {
      return this.refuse(req, res, 400, UNSUPPORTED_VERSION)
    }
    if (responseHeader !== undefined && findHeader(responseHeader, 'sec-websocket-extensions') !== undefined) {
      return this.refuse(req, res, 500, APP_EXTENSIONS_UNSUPPORTED)
    }
    const verdict = this.checkOrigin === undefined ? checkSameOrigin(firstHeader(raw, 'origin'), firstHeader(raw, 'host')) : await askOrigin(this.checkOrigin, req)
    if (verdict !== true) {
      return this.refuse(req, res, 403, 'websocket: request origin not allowed by Upgrader.CheckOrigin',
        { cause: verdict === false ? undefined : verdict.error })
    }
    const challengeKey = firstHeader(raw, 'sec-websocket-key')
    if (!isValidChallengeKey(challengeKey)) {
      return this.refuse(req, res, 400,
        "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length")
    }

    const appProtocol = responseHeader === undefined ? '' : headerText(findHeader(responseHeader, 'sec-websocket-protocol'))
    // The offers are read only when the upgrader has something to pick from (agree ignores them otherwise).
    const agreement = agree(this, {
      preference: 'client',
      clientProtocols: this.subprotocols === undefined ? undefined : headerLines(raw, 'sec-websocket-protocol')?.join(', '),
      clientExtensions: this.enableCompression ? headerLines(raw, 'sec-websocket-extensions') : undefined,
      appProtocol,
    })

    let handshake: string
    try {
      handshake = switchingProtocols(challengeKey!, agreement, responseHeader)
    } catch (err) {
      return this.refuse(req, res, 500, `websocket: invalid response header: ${(err as Error).message}`,
        { cause: err, code: WsCompatErrorCode.INVALID_ARGUMENT })
    }

    // A connection switched now would be cut at the server's exit wait time: refuse it while the router shuts down.
    if (isSocketShuttingDown(req.socket)) {
      return this.refuse(req, res, 503, SHUTTING_DOWN)
    }

    let taken: { socket: Duplex; head: Buffer }
    try {
      taken = hijack(res)
    } catch (err) {
      return this.refuse(req, res, 500, `websocket: hijack: ${(err as Error).message}`, { cause: err })
    }
    const { socket } = taken
    try {
      const written = this.writeHandshake(socket, handshake)
      if (written !== undefined) await written
    } catch (err) {
      socket.destroy()
      throw err
    }
    return acceptConn(this, agreement, taken)
  }

  private async refuse (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    reason: string,
    more: { cause?: unknown; code?: WsCompatErrorCode } = {}
  ): Promise<never> {
    const refusal = { status, reason, code: more.code ?? WsCompatErrorCode.HANDSHAKE, cause: more.cause }
    const err = refusalError(refusal)
    // A response already hijacked by someone else has no way to answer any more (Go logs a superfluous write).
    if (hijacked(res)) throw err
    const onError = this.error
    if (onError !== undefined) {
      const failure = await runErrorWriter(() => onError(req, res, status, err))
      if (failure === undefined) {
        // Go's server completes the response when the handler returns; here the callback's answer is the
        // handler's last word on it, so a callback that wrote without ending gets its response ended.
        if (!res.writableEnded && !res.destroyed && !hijacked(res)) res.end()
        throw err
      }
      defaultRefusal(res, status)
      throw refusalError(refusal, failure)
    }
    defaultRefusal(res, status)
    throw err
  }

  // gorilla bounds only the write of the 101 with HandshakeTimeout; otherwise it clears the HTTP server's
  // deadlines so that an idle WebSocket is not cut by them. Go's Write returns once the kernel has the bytes, which
  // on Node is nearly always before write() returns: then there is nothing to wait for (undefined), and the
  // connection starts in the same turn. Otherwise the Promise settles with the write's callback.
  private writeHandshake (socket: Duplex, head: string): Promise<void> | undefined {
    const s = socket as Duplex & { setTimeout?: (ms: number) => unknown }
    if (typeof s.setTimeout === 'function') s.setTimeout(0)
    let settle: ((err: Error | null | undefined) => void) | null = null
    socket.on('error', ignoreError)
    socket.write(head, 'latin1', (err) => {
      socket.removeListener('error', ignoreError)
      if (settle !== null) settle(err)
    })
    if (tookEverything(socket)) return undefined
    const timeout = this.handshakeTimeout
    return new Promise<void>((resolve, reject) => {
      const timer = timeout > 0 ? setTimeout(() => { reject(handshakeTimeoutError('handshake write')) }, timeout) : undefined
      settle = (err) => {
        if (timer !== undefined) clearTimeout(timer)
        if (err) reject(netError(err, 'handshake write: '))
        else resolve()
      }
    })
  }
}

/** gorilla's answer to a refusal: Go's `http.Error` with `Sec-WebSocket-Version: 13`. */
function defaultRefusal (res: ServerResponse, status: number): void {
  if (!res.headersSent) res.setHeader('Sec-WebSocket-Version', '13')
  httpError(res, STATUS_CODES[status] ?? String(status), status)
}

/** Go's `http.Error`: plain-text body ending in a newline, `nosniff`, no stale `Content-Length`. */
function httpError (res: ServerResponse, text: string, status: number): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end()
    return
  }
  res.removeHeader('Content-Length')
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.statusCode = status
  res.end(text + '\n')
}

function findHeader (headers: OutgoingHttpHeaders, lowerName: string): OutgoingHttpHeaders[string] {
  for (const name of Object.keys(headers)) {
    if (equalASCIIFold(name, lowerName)) return headers[name]
  }
  return undefined
}

function headerText (value: OutgoingHttpHeaders[string]): string {
  if (value === undefined) return ''
  if (Array.isArray(value)) return value[0] ?? ''
  return String(value)
}

/**
 * Builds the 101 head. `responseHeader` values are validated as Node validates `setHeader` (no CR, LF or
 * other control characters) - gorilla blanks such bytes instead; here a header that could split the
 * response is a programming error that fails the handshake with a 500.
 */
function switchingProtocols (challengeKey: string, agreement: Agreement, responseHeader: OutgoingHttpHeaders | undefined): string {
  let head = 'HTTP/1.1 101 Switching Protocols\r\n'
  const accept = acceptHeaders(challengeKey, agreement)
  for (let i = 0; i < accept.length; i += 2) head += accept[i]! + ': ' + accept[i + 1]! + '\r\n'
  if (responseHeader !== undefined) {
    for (const name of Object.keys(responseHeader)) {
      const value = responseHeader[name]
      if (value === undefined || equalASCIIFold(name, 'sec-websocket-protocol')) continue
      validateHeaderName(name)
      for (const v of Array.isArray(value) ? value : [value]) {
        const text = String(v)
        validateHeaderValue(name, text)
        head += name + ': ' + text + '\r\n'
      }
    }
  }
  return head + '\r\n'
}

function ignoreError (): void {
  // The write callback reports the same error; this listener only keeps an unheard 'error' from crashing.
}
