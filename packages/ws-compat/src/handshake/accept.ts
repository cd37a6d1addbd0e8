/**
 * What both upgraders do once a request has passed their checks: agree on a subprotocol and compression,
 * name the WebSocket headers of the 101, and build the connection on the taken socket. The checks, their
 * order and their answers stay with each upgrader: that is where gorilla and hertz-contrib differ.
 */
import type { Duplex } from 'node:stream'
import type { BufferPool } from '../conn/buffer-pool.js'
import type { Conn } from '../conn/conn.js'
import { WsCompatError, type TimeoutOf, type WsCompatErrorCode } from '../errors.js'
import { negotiatePermessageDeflate, type DeflateAgreement } from './deflate.js'
import { parseSubprotocols, selectSubprotocol, type SubprotocolPreference } from './negotiate.js'
import { computeAcceptKey } from './rules.js'
import type { NetConn } from '../conn/net-conn.js'
import { openServerConn } from './server-conn.js'

/** The fields `Upgrader` and `HertzUpgrader` share: they shape the connections an upgrader makes. */
export interface UpgraderSettings {
  /** Accepted so that gorilla option sets port unchanged; no effect: Node reads sockets into buffers of its own. */
  readBufferSize: number
  /** Write buffer size in bytes; `0` picks the default. Does not limit message size. */
  writeBufferSize: number
  /** Pool of write buffers shared by connections (gorilla's `BufferPool`; one pool per `writeBufferSize`). */
  writeBufferPool: BufferPool | undefined
  /** Protocols the server supports, in order of preference; each upgrader's field says how one is picked. */
  subprotocols: string[] | undefined
  /** Negotiate permessage-deflate ("no context takeover" only) when the client offers it. */
  enableCompression: boolean
  /** Frames one received message may arrive in; `0` = no limit. Past it the peer gets close 1008. */
  maxFragments: number
  /** Socket chunks one received frame may be buffered in; `0` = no limit. Past it the peer gets close 1008. */
  maxBufferedChunks: number
  /** Bytes of writes not yet taken by the kernel before further writes are refused; `0` = no limit. */
  maxWriteQueueBytes: number
}

/** What the server agreed to with the client. */
export interface Agreement {
  /** The subprotocol, `''` when none. */
  subprotocol: string
  /** The permessage-deflate agreement, or `null` for none. */
  deflate: DeflateAgreement | null
}

/** What the request asked for, and how an upgrader weighs it (see {@link agree}). */
export interface Asked {
  /** Whose subprotocol order wins: `'client'` (gorilla) or `'server'` (hertz-contrib). */
  preference: SubprotocolPreference
  /** The request's `Sec-WebSocket-Protocol`. */
  clientProtocols: string | undefined
  /** The request's `Sec-WebSocket-Extensions` field lines. */
  clientExtensions: readonly string[] | string | undefined
  /** A `Sec-WebSocket-Protocol` the application put on the response, `''` if none. */
  appProtocol: string
}

/**
 * Agrees on a subprotocol and compression. With `settings.subprotocols` set, the protocol is picked from
 * both lists in `asked.preference`'s order; without, the application's own choice (`asked.appProtocol`)
 * stands.
 *
 * @param settings - the upgrader
 * @param asked - what the request asked for
 */
export function agree (settings: UpgraderSettings, asked: Asked): Agreement {
  const subprotocol = settings.subprotocols !== undefined
    ? selectSubprotocol(parseSubprotocols(asked.clientProtocols), settings.subprotocols, asked.preference)
    : asked.appProtocol
  const deflate = settings.enableCompression ? negotiatePermessageDeflate(asked.clientExtensions) : null
  return { subprotocol, deflate }
}

/**
 * The WebSocket headers of the 101 for `agreement`, in gorilla's order, as one flat list of names and values
 * (`[name, value, name, value, ...]`: one array per handshake, no pair objects).
 *
 * @param challengeKey - the request's `Sec-WebSocket-Key`
 * @param agreement - what {@link agree} returned
 */
export function acceptHeaders (challengeKey: string, agreement: Agreement): string[] {
  const headers = ['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Accept', computeAcceptKey(challengeKey)]
  if (agreement.subprotocol !== '') headers.push('Sec-WebSocket-Protocol', agreement.subprotocol)
  if (agreement.deflate !== null) headers.push('Sec-WebSocket-Extensions', agreement.deflate.header)
  return headers
}

/** The socket an upgrader took over, and what comes with it. */
export interface Taken {
  /** The upgraded socket. */
  socket: Duplex
  /** Bytes read past the request head. */
  head: Buffer
  /** What `conn.netConn()` returns, when not the socket itself. */
  netConn?: NetConn
  /** Recognises the timeouts of `netConn` in the socket's error. */
  timeoutOf?: TimeoutOf
}

/**
 * The server connection on a socket whose 101 has been written.
 *
 * @param settings - the upgrader
 * @param agreement - what {@link agree} returned
 * @param taken - the socket and what comes with it
 */
export function acceptConn (settings: UpgraderSettings, agreement: Agreement, taken: Taken): Conn {
  return openServerConn({
    socket: taken.socket,
    head: taken.head,
    subprotocol: agreement.subprotocol,
    compression: agreement.deflate?.compression ?? false,
    readBufferSize: settings.readBufferSize,
    writeBufferSize: settings.writeBufferSize,
    writeBufferPool: settings.writeBufferPool,
    maxFragments: settings.maxFragments,
    maxBufferedChunks: settings.maxBufferedChunks,
    maxWriteQueueBytes: settings.maxWriteQueueBytes,
    netConn: taken.netConn,
  }, taken.timeoutOf)
}

/** What an application's `checkOrigin` answered: allowed or not, or the error it threw or rejected with. */
export type OriginVerdict = boolean | { error: unknown }

/**
 * Runs an application's `checkOrigin`. A throw or a rejection is not allowed to escape: the caller refuses
 * the handshake with 403 and keeps the error as `cause`, so a broken policy fails closed instead of
 * leaving the request unanswered. A Promise is awaited (a Promise is truthy: taken as a boolean it would
 * allow every origin); a plain boolean stays synchronous.
 *
 * @param check - the application's policy
 * @param arg - the request (`Upgrader`) or request context (`HertzUpgrader`)
 */
export function askOrigin<A> (
  check: (arg: A) => boolean | PromiseLike<boolean>,
  arg: A
): OriginVerdict | Promise<OriginVerdict> {
  let answer: boolean | PromiseLike<boolean>
  try {
    answer = check(arg)
  } catch (error) {
    return { error }
  }
  if (isThenable(answer)) return Promise.resolve(answer).then(Boolean, (error: unknown) => ({ error }))
  return Boolean(answer)
}

/**
 * Runs an application's `error` callback. Resolves with `undefined` when it answered, or with what it
 * threw or rejected with - the caller then writes its default refusal, so a broken callback never leaves
 * the client without an answer.
 *
 * @param write - calls the application's callback
 */
export function runErrorWriter (write: () => unknown): Promise<unknown> {
  let result: unknown
  try {
    result = write()
  } catch (error) {
    return Promise.resolve(error ?? new Error('error callback threw ' + String(error)))
  }
  if (!isThenable(result)) return Promise.resolve(undefined)
  return Promise.resolve(result).then(() => undefined, (error: unknown) => error ?? new Error('error callback rejected'))
}

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
}

/** A refused handshake, as both upgraders answer it and reject with it. */
export interface Refusal {
  /** The HTTP status answered. */
  status: number
  /** gorilla's or hertz-contrib's message. */
  reason: string
  /** `WS_COMPAT_ERR_HANDSHAKE`, or a more precise code. */
  code: WsCompatErrorCode
  /** Why the handshake was refused, when an error caused it. */
  cause?: unknown
}

/**
 * The error a refused handshake rejects with (gorilla's `HandshakeError`). When the application's `error`
 * callback failed too, its error joins the cause: alone, or with the refusal's own cause in an
 * `AggregateError`.
 *
 * @param refusal - what was refused, and why
 * @param callbackError - what the application's `error` callback threw, if it did
 */
export function refusalError (refusal: Refusal, callbackError?: unknown): WsCompatError {
  const { code, reason, status } = refusal
  let cause = refusal.cause
  if (callbackError !== undefined) {
    cause = cause === undefined ? callbackError : new AggregateError([cause, callbackError], 'refusal cause and error callback failure')
  }
  return new WsCompatError(code, reason, cause === undefined ? { status } : { cause, status })
}
