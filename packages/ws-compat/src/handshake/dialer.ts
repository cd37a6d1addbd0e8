import { randomBytes } from 'node:crypto'
import { request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Duplex } from 'node:stream'
import type { ConnectionOptions } from 'node:tls'
import type { BufferPool } from '../conn/buffer-pool.js'
import { Conn } from '../conn/conn.js'
import { defaultMaxBufferedChunks, defaultMaxFragments, defaultMaxWriteQueueBytes } from '../constants.js'
import { WsCompatError, WsCompatErrorCode, handshakeTimeoutError, netError } from '../errors.js'
import { DEFLATE_OFFER, acceptDeflateAnswer } from './deflate.js'
import { computeAcceptKey, tokenListContainsValue } from './rules.js'

/** Request headers for {@link Dialer.dial}: a plain object, a `Headers`, or `[name, value]` pairs. */
export type RequestHeader =
  | Record<string, string | readonly string[] | undefined>
  | Headers
  | Iterable<readonly [string, string]>
  | null
  | undefined

/** The fields of {@link Dialer}, all optional. */
export interface DialerOptions {
  /** Milliseconds allowed for connecting and the opening handshake; `0` means no limit. */
  handshakeTimeout?: number
  /** The subprotocols to request, in order of preference. */
  subprotocols?: string[]
  /** Offer permessage-deflate (no context takeover, the only mode gorilla implements). */
  enableCompression?: boolean
  /** Accepted so that gorilla option sets port unchanged; no effect: Node reads sockets into buffers of its own. */
  readBufferSize?: number
  /** Bytes a `nextWriter` stages before it sends a fragment (default 4096). */
  writeBufferSize?: number
  /** Where `nextWriter` takes its buffer from, shared across connections. */
  writeBufferPool?: BufferPool | undefined
  /** TLS options for `wss:` URLs (CA, client certificate, `rejectUnauthorized`...). */
  tlsClientConfig?: ConnectionOptions | undefined
  /** Frames one received message may arrive in (default 16384, `0` for none); past it, close 1008. */
  maxFragments?: number
  /** Socket chunks one received frame may be buffered in (default 262144, `0` for none); past it, close 1008. */
  maxBufferedChunks?: number
  /** Bytes of writes not yet taken by the kernel before further writes are refused (default 16 MiB, `0` for none). */
  maxWriteQueueBytes?: number
  /** Opens the connection instead of TCP/TLS (gorilla's `NetDial`): e.g. `() => h.injectConnection()`, in memory. */
  netDial?: NetDial | undefined
}

/** Opens a connection to `addr` (`host:port`) over `network` (`tcp`); the handshake then runs over it. */
export type NetDial = (network: string, addr: string) => Duplex | Promise<Duplex>

/** A handshake refusal: `dial` rejects with this, with the server's answer attached. */
export interface BadHandshakeError extends WsCompatError {
  /** The server's response (status, headers); its body has been read into `body`. */
  response: IncomingMessage
  /** Up to 1024 bytes of the response body, to help debugging. */
  body: Buffer
}

// Headers the dialer sets itself (gorilla's list); passing them in is an error, not an override.
const reservedHeaders = new Map([
  ['upgrade', 'Upgrade'],
  ['connection', 'Connection'],
  ['sec-websocket-key', 'Sec-Websocket-Key'],
  ['sec-websocket-version', 'Sec-Websocket-Version'],
  ['sec-websocket-extensions', 'Sec-Websocket-Extensions'],
])
const maxErrorBody = 1024

function malformedURL (cause?: unknown): WsCompatError {
  return new WsCompatError(
    WsCompatErrorCode.MALFORMED_URL,
    'malformed ws or wss URL',
    cause === undefined ? undefined : { cause }
  )
}

function headerEntries (header: RequestHeader): Array<[string, string | readonly string[]]> {
  if (header === null || header === undefined) return []
  if (header instanceof Headers) return [...header.entries()]
  if (Symbol.iterator in header) return [...(header as Iterable<readonly [string, string]>)].map(([k, v]) => [k, v])
  const entries: Array<[string, string | readonly string[]]> = []
  for (const [k, v] of Object.entries(header)) if (v !== undefined) entries.push([k, v])
  return entries
}

/**
 * Options for connecting to a WebSocket server (gorilla's `Dialer`). Safe to use for many dials at once.
 * Its connections start with the 100 MiB read limit (`defaultReadLimit`), as server connections do.
 *
 * ```ts
 * const [conn, res] = await DefaultDialer.dial('ws://localhost:8080/echo', null)
 * ```
 */
export class Dialer {
  /** Milliseconds allowed for connecting and the opening handshake; `0` means no limit. */
  handshakeTimeout: number
  /** The subprotocols to request. */
  subprotocols: string[]
  /** Offer permessage-deflate. */
  enableCompression: boolean
  /** Accepted so that gorilla option sets port unchanged; no effect: Node reads sockets into buffers of its own. */
  readBufferSize: number
  /** Bytes a `nextWriter` stages before it sends a fragment. */
  writeBufferSize: number
  /** Where `nextWriter` takes its buffer from. */
  writeBufferPool: BufferPool | undefined
  /** TLS options for `wss:` URLs. */
  tlsClientConfig: ConnectionOptions | undefined
  /** Frames one received message may arrive in; `0` means no limit. Past it: close 1008, `WS_COMPAT_ERR_FRAGMENT_LIMIT`. */
  maxFragments: number
  /** Socket chunks one received frame may be buffered in; `0` means no limit. Past it: as `maxFragments`. */
  maxBufferedChunks: number
  /** Bytes of writes not yet taken by the kernel before further writes are refused with `WS_COMPAT_ERR_WRITE_QUEUE_FULL`; `0` means no limit. */
  maxWriteQueueBytes: number
  /** Opens the connection instead of TCP/TLS (gorilla's `NetDial`); TLS options are then not used. */
  netDial: NetDial | undefined

  /** @param opts - the fields to set; the rest keep gorilla's zero values */
  constructor (opts: DialerOptions = {}) {
    this.handshakeTimeout = opts.handshakeTimeout ?? 0
    this.subprotocols = opts.subprotocols ?? []
    this.enableCompression = opts.enableCompression ?? false
    this.readBufferSize = opts.readBufferSize ?? 0
    this.writeBufferSize = opts.writeBufferSize ?? 0
    this.writeBufferPool = opts.writeBufferPool
    this.tlsClientConfig = opts.tlsClientConfig
    this.maxFragments = opts.maxFragments ?? defaultMaxFragments
    this.maxBufferedChunks = opts.maxBufferedChunks ?? defaultMaxBufferedChunks
    this.maxWriteQueueBytes = opts.maxWriteQueueBytes ?? defaultMaxWriteQueueBytes
    this.netDial = opts.netDial
  }

  /**
   * Connects to `urlStr` (`ws:` or `wss:`) and performs the opening handshake. Resolves with the connection
   * and the server's 101 response (its headers carry `Set-Cookie` and the chosen subprotocol).
   *
   * Rejects with `WS_COMPAT_ERR_BAD_HANDSHAKE` ("websocket: bad handshake", `err.response` and `err.body`
   * set) when the server answers anything but a valid 101; `WS_COMPAT_ERR_MALFORMED_URL`,
   * `WS_COMPAT_ERR_DUPLICATE_HEADER`, `WS_COMPAT_ERR_HANDSHAKE_TIMEOUT`, `WS_COMPAT_ERR_INVALID_COMPRESSION`,
   * or `WS_COMPAT_ERR_NET` (connection refused, reset...) otherwise.
   *
   * @param urlStr - the server URL
   * @param requestHeader - extra headers (`Origin`, `Cookie`, `Sec-WebSocket-Protocol`...; `Host` overrides)
   */
  dial (urlStr: string, requestHeader?: RequestHeader): Promise<[Conn, IncomingMessage]> {
    let u: URL
    try {
      u = new URL(urlStr)
    } catch (err) {
      return Promise.reject(malformedURL(err))
    }
    if ((u.protocol !== 'ws:' && u.protocol !== 'wss:') || u.username !== '' || u.password !== '') {
      return Promise.reject(malformedURL())
    }
    const challengeKey = randomBytes(16).toString('base64')
    const headers: OutgoingHttpHeaders = {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': challengeKey,
      'Sec-WebSocket-Version': '13',
    }
    if (this.subprotocols.length > 0) headers['Sec-WebSocket-Protocol'] = this.subprotocols.join(', ')
    for (const [name, value] of headerEntries(requestHeader)) {
      const lower = name.toLowerCase()
      const reserved =
        reservedHeaders.get(lower) ??
        (lower === 'sec-websocket-protocol' && this.subprotocols.length > 0 ? 'Sec-Websocket-Protocol' : undefined)
      if (reserved !== undefined) {
        return Promise.reject(
          new WsCompatError(WsCompatErrorCode.DUPLICATE_HEADER, `websocket: duplicate header not allowed: ${reserved}`)
        )
      }
      headers[name] = typeof value === 'string' ? value : [...value]
    }
    if (this.enableCompression) {
      headers['Sec-WebSocket-Extensions'] = DEFLATE_OFFER
    }
    const secure = u.protocol === 'wss:'
    const request = secure ? httpsRequest : httpRequest
    const req = request({
      ...(secure ? this.tlsClientConfig : undefined),
      host: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
      port: u.port === '' ? (secure ? 443 : 80) : Number(u.port),
      path: `${u.pathname}${u.search}`,
      method: 'GET',
      headers,
      ...this.dialVia(u),
    })
    return this.handshake(req, challengeKey)
  }

  /** How the request gets its connection: through `netDial` when set (node's `createConnection`), else TCP/TLS. */
  private dialVia (u: URL): { agent: false } | { createConnection: (o: unknown, cb: (err: Error | null, s: Duplex) => void) => undefined } {
    const netDial = this.netDial
    if (netDial === undefined) return { agent: false }
    const addr = `${u.hostname}:${u.port === '' ? (u.protocol === 'wss:' ? 443 : 80) : u.port}`
    return {
      createConnection: (_o, cb) => {
        Promise.resolve()
          .then(() => netDial('tcp', addr))
          .then((s) => cb(null, s), (err: unknown) => cb(err instanceof Error ? err : new Error(String(err)), undefined as never))
        return undefined
      },
    }
  }

  private handshake (req: ClientRequest, challengeKey: string): Promise<[Conn, IncomingMessage]> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const fail = (err: Error): void => {
        if (timer !== undefined) clearTimeout(timer)
        reject(err)
      }
      if (this.handshakeTimeout > 0) {
        timer = setTimeout(() => {
          req.destroy(handshakeTimeoutError('handshake timeout'))
        }, this.handshakeTimeout)
      }
      req.on('error', (err: Error) => {
        fail(err instanceof WsCompatError ? err : netError(err))
      })
      req.on('response', (res: IncomingMessage) => {
        readSome(res, (body) => {
          req.destroy()
          fail(badHandshake(res, body))
        })
      })
      req.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (timer !== undefined) clearTimeout(timer)
        try {
          resolve([this.open(res, socket, head, challengeKey), res])
        } catch (err) {
          socket.destroy()
          reject(err)
        }
      })
      req.end()
    })
  }

  private open (res: IncomingMessage, socket: Duplex, head: Buffer, challengeKey: string): Conn {
    if (
      res.statusCode !== 101 ||
      !tokenListContainsValue(res.headersDistinct['upgrade'], 'websocket') ||
      !tokenListContainsValue(res.headersDistinct['connection'], 'upgrade') ||
      res.headers['sec-websocket-accept'] !== computeAcceptKey(challengeKey)
    ) {
      throw badHandshake(res, Buffer.alloc(0))
    }
    return new Conn({
      socket,
      head,
      isServer: false,
      subprotocol: res.headers['sec-websocket-protocol'] ?? '',
      compression: acceptDeflateAnswer(res.headers['sec-websocket-extensions'], this.enableCompression),
      writeBufferSize: this.writeBufferSize,
      writeBufferPool: this.writeBufferPool,
      maxFragments: this.maxFragments,
      maxBufferedChunks: this.maxBufferedChunks,
      maxWriteQueueBytes: this.maxWriteQueueBytes,
    })
  }
}

function badHandshake (response: IncomingMessage, body: Buffer): BadHandshakeError {
  const err = new WsCompatError(WsCompatErrorCode.BAD_HANDSHAKE, 'websocket: bad handshake', {
    status: response.statusCode,
  })
  return Object.assign(err, { response, body })
}

/** Reads at most {@link maxErrorBody} bytes of a refused handshake's body, then calls `done`. */
function readSome (res: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = []
  let size = 0
  let finished = false
  const finish = (): void => {
    if (finished) return
    finished = true
    res.removeListener('data', onData)
    const body = Buffer.concat(chunks, size)
    done(body.subarray(0, maxErrorBody))
  }
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk)
    size += chunk.length
    if (size >= maxErrorBody) finish()
  }
  res.on('data', onData)
  res.on('end', finish)
  res.on('close', finish)
  res.on('error', finish)
}

/** A dialer with gorilla's defaults: a 45 s handshake timeout. */
export const DefaultDialer = new Dialer({ handshakeTimeout: 45_000 })
