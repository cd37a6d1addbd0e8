import type { ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Logger } from '../errors.js'
import { chunkLength, type Chunk, type Response } from '../context/response.js'

/** What a sized body needs of the request context it answers. */
export interface SizedBodyContext {
  readonly response: Response
  readonly engine: { logger: Logger }
}

// A body announced with a Content-Length must be exactly that long (RFC 9112 §6.3): on a keep-alive connection a
// byte too many is read as the start of the next response, a byte too few swallows the start of it.

/**
 * Pipes `stream` into `res` as exactly `size` bytes, as Go's `io.CopyN`: reading stops at `size` (a longer stream
 * is cut there and destroyed); a stream that ends short leaves the response unfinished and the connection is
 * closed once the bytes sent so far have gone out.
 */
export function pipeSized (c: SizedBodyContext, res: ServerResponse, stream: Readable, size: number): void {
  const r = c.response
  let sent = 0
  const done = (): void => {
    stream.removeListener('data', onData)
    stream.destroy()
    res.end()
  }
  const onData = (chunk: Chunk): void => {
    let n = chunkLength(chunk)
    if (sent + n > size) {
      c.engine.logger.warn(`response body stream is longer than its ${size} declared bytes; cut there`)
      n = size - sent
      chunk = Buffer.from(chunk).subarray(0, n)
    }
    sent += n
    r.setBytesSent(sent)
    const more = res.write(chunk)
    if (sent === size) done()
    else if (!more) stream.pause()
  }
  if (size === 0) {
    done()
    return
  }
  stream.on('data', onData)
  res.on('drain', () => { if (!stream.destroyed) stream.resume() })
  stream.on('end', () => {
    if (sent === size) return
    c.engine.logger.warn(`response body stream ended after ${sent} of ${size} declared bytes; connection closed`)
    closeAfterFlush(res)
  })
}

/** Closes the connection of `res` once what was written to it has gone out (its next responses never will). */
function closeAfterFlush (res: ServerResponse): void {
  const socket = res.socket
  if (socket !== null) {
    socket.destroySoon()
    return
  }
  // Still queued behind an earlier response of the connection: node writes the buffered bytes right after
  // handing it the socket.
  res.once('socket', s => { process.nextTick(() => { s.destroySoon() }) })
}
