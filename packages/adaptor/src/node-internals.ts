import { OutgoingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

// Every use the adaptor makes of node:http's undocumented internals is in this file, so that a Node release that
// changes one of them breaks one place, which node-internals.test.ts checks against the running Node.
//
// Why each is needed (node:http has no public way to do these):
// - `res._header`: the serialized response head. Its length separates the head from the body in the socket's byte
//   counter, so a metrics middleware sees the body bytes a Node handler sent (`c.response.bytesSent()`).
// - `socket._httpMessage`: the response node:http is currently writing on a socket. hijack() detaches the socket
//   from `res` only when `res` is that response, so a socket handed over is never written by node:http again.
// - `res.outputData` / `res.outputSize`: what node:http queued on a response that has no socket (yet). hijack()
//   moves a head written on such a response onto the socket it hands over, or the head would be lost.
// - a response's progressive headers (a symbol described `kOutHeaders`): the object `setHeader` keeps them in,
//   `{ lowercased name: [name, value] }`. The first `setHeader` makes it as a null-prototype literal, which V8
//   keeps in dictionary mode, and every later `setHeader` and the head's serialization pay for that. For
//   `Server: hertz` the adaptor puts in place an object of the same layout that V8 keeps fast: 0.4 us less per
//   request in a profile at 5 000/s (of about 22 us), and router-adaptor's CPU per request went from 0.96x to
//   1.00x of the router's (bench/RESULTS.md).
//
// Each accessor degrades to "nothing there" when the field is missing, so a changed Node loses precision (byte
// counts) or a buffered head, never crashes a request; the test is what makes such a change loud.

interface InternalResponse {
  _header?: string | null
  outputData?: PendingChunk[]
  outputSize?: number
}

/** One write node:http queued on a response without a socket. */
export interface PendingChunk {
  data: string | Buffer
  encoding?: BufferEncoding | null
  callback?: (() => void) | null
}

// Looked up by description once; if a future Node hides it, the header goes through `setHeader`.
const kOutHeaders: symbol | undefined = Object.getOwnPropertySymbols(new OutgoingMessage())
  .find(s => s.description === 'kOutHeaders')

/** node:http's header object: lowercased name -> [name as set, value]. */
type HeaderObject = Record<string, [string, string | string[]]>

/**
 * A header object that starts with `Server: hertz`. Like node's own `{ __proto__: null }` it inherits nothing (its
 * prototype is an empty null-prototype object, so `constructor` or `__proto__` is an ordinary header name), but it
 * is made by a constructor: V8 keeps it a fast object with a shared shape, where the null-prototype literal is
 * built in dictionary mode.
 */
const ServerHeaders = function (this: HeaderObject): void {
  this.server = ['Server', 'hertz']
} as unknown as new () => HeaderObject
ServerHeaders.prototype = Object.create(null) as HeaderObject

/**
 * `res.setHeader('Server', 'hertz')`: on a response with no header yet, a fresh {@link ServerHeaders} object; any
 * other response (or a Node that keeps its headers elsewhere) takes `setHeader` itself.
 *
 * @param res - a server response whose head has not been written
 */
export function setServerHeader (res: ServerResponse): void {
  const r = res as unknown as Record<symbol, unknown>
  if (kOutHeaders !== undefined && r[kOutHeaders] === null && !res.headersSent) {
    r[kOutHeaders] = new ServerHeaders()
  } else {
    res.setHeader('Server', 'hertz')
  }
}

interface InternalSocket {
  _httpMessage?: ServerResponse | null
}

/**
 * Bytes of the response head node:http built for `res` (by `writeHead()` or the first write), 0 before that.
 * The head is kept as a latin1 string, so its length is its byte count.
 *
 * @param res - a server response
 */
export function headLength (res: ServerResponse): number {
  const head = (res as unknown as InternalResponse)._header
  return typeof head === 'string' ? head.length : 0
}

/**
 * True while `socket` is the connection node:http writes `res` on.
 *
 * @param socket - a connection
 * @param res - a server response
 */
export function isWritingOn (socket: Duplex, res: ServerResponse): boolean {
  return res.socket === socket && (socket as InternalSocket)._httpMessage === res
}

/**
 * Writes to `socket` what node:http queued on `res` while it had no socket, in order, and empties the queue.
 *
 * @param res - a server response not bound to `socket`
 * @param socket - where the queued bytes go
 */
export function movePendingOutput (res: ServerResponse, socket: Duplex): void {
  const r = res as unknown as InternalResponse
  const queue = r.outputData
  if (queue === undefined || queue.length === 0 || socket.destroyed) return
  for (const chunk of queue) socket.write(chunk.data, chunk.encoding ?? 'latin1', chunk.callback ?? undefined)
  queue.length = 0
  r.outputSize = 0
}
