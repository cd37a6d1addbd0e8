import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { AdaptorError, AdaptorErrorCode } from './errors.js'
import { isWritingOn, movePendingOutput } from './node-internals.js'
import { afterEarlierResponses } from '@hertz-node/router'

/**
 * What {@link hijack} hands over: the raw connection and the bytes the HTTP parser had already read past the
 * request headers (the `'upgrade'` event's `head`; often the client's first WebSocket frame).
 */
export interface Hijacked {
  /** The raw connection; the caller owns it now and must end or destroy it. */
  socket: Duplex
  /** Bytes already read past the request headers; empty when there were none. Never lost. */
  head: Buffer
}

/** Called once, synchronously, inside the successful {@link hijack} of a registered response. */
export type HijackListener = (res: ServerResponse) => void

interface Slot {
  socket: Duplex
  head: Buffer
  taken: boolean
  /** False while an earlier keep-alive response still owns the socket (see {@link upgradeResponse}). */
  ready: boolean
  onHijack: HijackListener | undefined
}

// The slot lives on the response under a private symbol (as fastify keeps its state on Node's objects) rather
// than in a WeakMap keyed by it: a WeakMap entry for a young object costs a write barrier per request and a scan
// of the ephemeron table at every scavenge, which showed in the CPU of each handshake. Dropping the response
// drops the slot with it all the same.
const kSlot = Symbol('hertz.adaptor.hijackSlot')
type Registered = ServerResponse & { [kSlot]?: Slot }

function slotOf (res: ServerResponse): Slot | undefined {
  return (res as Registered)[kSlot]
}

const EMPTY = Buffer.alloc(0)
// What a response's slot becomes once hijacked: one shared record, so that a handler which keeps `res` for its
// connection's life (an awaited read loop does) keeps no slot of its own, nor the socket through it.
const TAKEN: Slot = Object.freeze({ socket: null as unknown as Duplex, head: EMPTY, taken: true, ready: true, onHijack: undefined })

/**
 * Makes `res` hijackable: a later {@link hijack}(res) returns `socket` and `head`. This is the hook
 * `handler()` and {@link upgradeResponse} build on; `onHijack` lets the owner of `res` learn that the
 * socket is gone (e.g. to stop writing its own response).
 *
 * @param res - the response bound to `socket`
 * @param socket - the connection to hand over
 * @param head - bytes already read past the request headers (`null` when none)
 * @param onHijack - optional listener, called once when the hijack happens
 */
export function registerHijackable (
  res: ServerResponse,
  socket: Duplex,
  head: Buffer | null,
  onHijack?: HijackListener
): void {
  const slot = slotOf(res)
  if (slot !== undefined && slot.taken) throw hijackedError()
  ;(res as Registered)[kSlot] = { socket, head: head ?? EMPTY, taken: false, ready: true, onHijack }
}

/**
 * Node's counterpart of Go's `http.Hijacker.Hijack()`: takes the raw socket and the already-read bytes away
 * from `res`. Works once per response.
 *
 * Header bytes already produced on `res` (`res.writeHead(101, ...)`, with or without `flushHeaders()`) are
 * written to the socket first, so "write the 101, then hijack" works. Afterwards `res.write`, `writeHead`,
 * `end`, `setHeader`, `appendHeader` and `flushHeaders` throw.
 *
 * @param res - a response registered by `handler()` or created by {@link upgradeResponse}
 * @returns the socket and `head`
 * @throws AdaptorError `ADAPTOR_ERR_HIJACKED` ("conn hijacked") when already hijacked;
 *   `ADAPTOR_ERR_NOT_HIJACKABLE` when `res` has no socket to give (a plain keep-alive HTTP response)
 */
export function hijack (res: ServerResponse): Hijacked {
  const slot = slotOf(res)
  if (slot === undefined) {
    throw new AdaptorError(
      AdaptorErrorCode.NOT_HIJACKABLE,
      'response is not hijackable: only upgrade requests can hand over their socket'
    )
  }
  if (slot.taken) throw hijackedError()
  if (!slot.ready) {
    // The socket still carries the answer to an earlier request: bytes written on it now would land inside that
    // answer. A refusal written through `res` instead goes out after it.
    throw new AdaptorError(
      AdaptorErrorCode.NOT_HIJACKABLE,
      'response is not hijackable yet: an earlier response on this connection is still being written'
    )
  }
  slot.taken = true
  const { socket, head, onHijack } = slot
  slot.head = EMPTY
  ;(res as Registered)[kSlot] = TAKEN
  flushPendingHead(res, socket)
  if (isWritingOn(socket, res)) res.detachSocket(socket as Socket)
  seal(res)
  onHijack?.(res)
  return { socket, head }
}

/**
 * Tells whether {@link hijack}(res) would succeed now.
 *
 * @param res - any server response
 */
export function isHijackable (res: ServerResponse): boolean {
  const slot = slotOf(res)
  return slot !== undefined && !slot.taken && slot.ready
}

/**
 * Tells whether `res` has already been hijacked.
 *
 * @param res - any server response
 */
export function hijacked (res: ServerResponse): boolean {
  return slotOf(res)?.taken === true
}

/**
 * Turns the `(req, socket, head)` of a bare `node:http` `'upgrade'` event into a hijackable
 * `ServerResponse` bound to that socket. Code written for `(req, res)` then runs unchanged: a refusal
 * written through `res` (400, 403, 426, ...) reaches the client and the socket is closed once it is sent;
 * a {@link hijack} hands the socket over instead.
 *
 * An upgrade request pipelined behind a keep-alive request can arrive while node:http still writes the earlier
 * response on the socket. The returned response is then bound to the socket once that response is out: what is
 * written to it waits until then, and {@link hijack} refuses (`ADAPTOR_ERR_NOT_HIJACKABLE`) until then, so such
 * an upgrade is answered after the earlier response (the `Upgrader` answers it 500) instead of corrupting it.
 *
 * The response carries `Connection: close` (no parser will read another request on this socket), and an
 * `'error'` listener guards the socket: Node removes its own when it emits `'upgrade'`, and an unheard
 * `ECONNRESET` would otherwise crash the process. The guard stays after a hijack; the socket still emits
 * `'close'`.
 *
 * @param req - the upgrade request
 * @param socket - the `'upgrade'` event's socket
 * @param head - the `'upgrade'` event's head
 * @returns a response bound to `socket`, registered for {@link hijack}
 */
export function upgradeResponse (req: IncomingMessage, socket: Duplex, head: Buffer | null): ServerResponse {
  const res = new ServerResponse(req)
  res.shouldKeepAlive = false
  if (socket.listenerCount('error') === 0) socket.on('error', ignoreSocketError)
  res.once('finish', closeAfterResponse)
  registerHijackable(res, socket, head)
  const earlier = afterEarlierResponses(socket)
  if (earlier === null) {
    res.assignSocket(socket as Socket)
  } else {
    const slot = slotOf(res) as Slot
    slot.ready = false
    void earlier.then(free => {
      // node:http sends what was written to `res` meanwhile as it binds it.
      if (!free || slot.taken) return
      slot.ready = true
      res.assignSocket(socket as Socket)
    })
  }
  return res
}

function flushPendingHead (res: ServerResponse, socket: Duplex): void {
  // `headersSent` is true as soon as writeHead() has *built* the head, even if no byte left yet. Node sends
  // a built-but-unsent head with the next write; flushHeaders() is the public way to force that now.
  if (res.headersSent && !res.writableEnded) res.flushHeaders()
  // When `res` was never bound to this socket Node queues its output; move it over so that it is not lost.
  movePendingOutput(res, socket)
}

function hijackedError (): AdaptorError {
  return new AdaptorError(AdaptorErrorCode.HIJACKED, 'conn hijacked')
}

function throwHijacked (): never {
  throw hijackedError()
}

// A hijacked response gets a prototype whose writing methods throw: one shared object for every response, where
// own properties would give each hijacked response (and each idle WebSocket behind it) a property store of its own.
const SEALED_METHODS = ['write', 'writeHead', 'end', 'setHeader', 'appendHeader', 'flushHeaders'] as const
const sealedPrototypes = new WeakMap<object, object>()
// Nearly every hijacked response is a plain ServerResponse: the last prototype sealed spares the map lookup.
let lastProto: object | null = null
let lastSealed: object | null = null

function seal (res: ServerResponse): void {
  const proto = Object.getPrototypeOf(res) as object
  let sealed = proto === lastProto ? lastSealed : sealedPrototypes.get(proto)
  if (sealed === undefined || sealed === null) {
    const methods: PropertyDescriptorMap = {}
    for (const name of SEALED_METHODS) methods[name] = { value: throwHijacked, writable: true, configurable: true }
    sealed = Object.create(proto, methods) as object
    sealedPrototypes.set(proto, sealed)
  }
  lastProto = proto
  lastSealed = sealed
  Object.setPrototypeOf(res, sealed)
}

function closeAfterResponse (this: ServerResponse): void {
  const slot = slotOf(this)
  if (slot === undefined || slot.taken) return
  const socket = slot.socket
  if (socket.destroyed) return
  // end() first so the response bytes and the FIN leave in order; destroy once flushed so a client that never
  // closes its side cannot keep a half-open socket alive.
  socket.end()
  if (socket.writableFinished) socket.destroy()
  else socket.once('finish', socket.destroy)
}

function ignoreSocketError (): void {
  // The socket is already being destroyed when 'error' fires; there is nothing left to do.
}
