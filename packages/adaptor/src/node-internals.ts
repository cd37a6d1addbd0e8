import type { ServerResponse } from 'node:http'
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
