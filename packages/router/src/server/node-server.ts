import { createServer, type Server, type IncomingMessage, type ServerResponse, type ServerOptions } from 'node:http'
import { createServer as createTLSServer } from 'node:https'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { HertzError, HertzErrorCode } from '../errors.js'
import { parseHostPorts, type Options } from './options.js'
import { rawErrorResponse } from '../pipeline/write.js'
import { declaredLength } from '../pipeline/body.js'
import { responseOnSocket } from './node-internals.js'

/** What the node:http server calls on the engine. */
export interface ServerCallbacks {
  onRequest: (req: IncomingMessage, res: ServerResponse) => void
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
}

/** Status and body for an error node:http's parser reports, as Hertz answers them. */
export function clientErrorAnswer (code: string | undefined): [number, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW': return [431, 'Request Header Fields Too Large']
    case 'ERR_HTTP_REQUEST_TIMEOUT': return [408, 'Request timeout']
    default: return [400, 'Error when parsing request']
  }
}

/**
 * Creates the node:http server (node:https with `withTLS`): Hertz's timeouts mapped onto node's (read -> requestTimeout, read header ->
 * headersTimeout, idle -> keepAliveTimeout), the header size limit, and parse errors answered the Hertz way.
 */
export function createNodeServer (o: Options, cb: ServerCallbacks): Server {
  const timeouts = [o.readTimeout, o.readHeaderTimeout].filter(t => t > 0)
  // node checks request deadlines on an interval; keep it a fraction of the shortest deadline.
  const interval = timeouts.length === 0 ? 30_000 : Math.min(30_000, Math.max(10, Math.floor(Math.min(...timeouts) / 4)))
  const httpOptions: ServerOptions = {
    maxHeaderSize: o.maxHeaderBytes,
    requestTimeout: o.readTimeout,
    headersTimeout: o.readHeaderTimeout,
    connectionsCheckingInterval: interval,
    requireHostHeader: false,
    keepAlive: o.keepAliveTimeout > 0,
    keepAliveInitialDelay: o.keepAliveTimeout,
    noDelay: true
  }
  // An https server is an http one over TLS: the same events, upgrades (wss://) included.
  const server = o.tls === null ? createServer(httpOptions) : createTLSServer({ ...o.tls, ...httpOptions })
  server.keepAliveTimeout = o.idleTimeout
  const serverHeader = !o.disableDefaultServerHeader
  server.on('request', cb.onRequest)
  // `Expect: 100-continue`: node sends the 100 itself unless someone listens. A declared body over the limit gets
  // its 413 instead of a 100, so the client does not send a body that would only be discarded.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (o.streamRequestBody || declaredLength(req) <= o.maxRequestBodySize) res.writeContinue()
    cb.onRequest(req, res)
  })
  server.on('upgrade', cb.onUpgrade)
  // node hands CONNECT requests over with their socket, as it does upgrades; they take the same way: routed by
  // path (`h.any` / `h.handle('CONNECT', ...)`, a handler may hijack the tunnel), an authority-form target
  // (`CONNECT host:443`) answered 400, and the socket closed after any answer.
  server.on('connect', cb.onUpgrade)
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const pending = responseOnSocket(socket)
    if (err.code !== 'ECONNRESET' && socket.writable && (pending === null || !pending.headersSent)) {
      const [status, msg] = clientErrorAnswer(err.code)
      socket.end(rawErrorResponse(status, msg, serverHeader))
      ;(socket as Socket).destroySoon()
      return
    }
    socket.destroy()
  })
  return server
}

/** Listens on the configured address; rejects with `HERTZ_ERR_LISTEN` (cause: the system error). */
export function listen (server: Server, o: Options): Promise<void> {
  const target = parseHostPorts(o.addr, o.network)
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.removeListener('listening', onListening)
      reject(new HertzError(HertzErrorCode.LISTEN, `listen ${o.network} ${o.addr}: ${err.message}`, { cause: err }))
    }
    const onListening = (): void => {
      server.removeListener('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    if (target.path !== undefined) server.listen(target.path)
    else server.listen({ host: target.host, port: target.port, ipv6Only: o.network === 'tcp6' })
  })
}
