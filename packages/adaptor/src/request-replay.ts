import { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { RequestContext } from '@hertz-node/router'

// One replay per request: every wrapped middleware and handler of a chain must see the same object, as in
// connect, so that what one attaches (`req.body`, `req.user`) the next one finds.
const replays = new WeakMap<IncomingMessage, IncomingMessage>()

/**
 * The `IncomingMessage` a wrapped Node handler receives: the router's own `c.req` while its body is unread,
 * otherwise a replay carrying the same request line, headers and socket with the buffered body as its stream.
 *
 * @param c - the request context
 */
export function nodeRequest (c: RequestContext): IncomingMessage {
  const req = c.req
  // A stream that has not ended still holds its body (or its empty end) for whoever reads it: the common
  // case, checked without touching the router's request view.
  if (!req.readableEnded) return req
  const body = c.request.bufferedBody()
  if (body === null) return req
  let replay = replays.get(req)
  if (replay === undefined) {
    replay = replayRequest(req, body)
    replays.set(req, replay)
  }
  return replay
}

/**
 * A fresh `IncomingMessage` that repeats `req` with `body` as its content. The router already consumed the
 * original stream (its 'data' and 'end' are gone), so handing that one over would leave a body parser waiting
 * forever.
 *
 * @param req - the original request
 * @param body - the bytes the router read from it
 */
export function replayRequest (req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket as Socket)
  copy.httpVersionMajor = req.httpVersionMajor
  copy.httpVersionMinor = req.httpVersionMinor
  copy.httpVersion = req.httpVersion
  copy.method = req.method
  copy.url = req.url
  copy.rawHeaders = req.rawHeaders
  copy.headers = req.headers
  copy.rawTrailers = req.rawTrailers
  copy.trailers = req.trailers
  copy.complete = true
  // The content is pushed up front; reading must not resume the shared socket, which belongs to the parser.
  ;(copy as unknown as { _read: () => void })._read = noop
  if (body.length > 0) copy.push(body)
  copy.push(null)
  return copy
}

function noop (): void {
  // Everything was pushed already.
}
