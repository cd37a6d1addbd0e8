/**
 * gorilla/websocket's `examples/autobahn/server.go` on the recommended path: the Autobahn test suite's server,
 * its `(w, r)` handlers as Node `(req, res)` handlers through `adaptor.handler` in a `server.New` router, every
 * echo route upgraded by the gorilla-style `Upgrader` (compression on, any origin); the echo loops are in
 * `autobahn.ts`. Run: `pnpm autobahn:adaptor [--addr host:port]`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { Upgrader, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { StatusMethodNotAllowed, StatusNotFound, httpError, urlPath } from '@hertz-node/example-support/http'
import { log } from '@hertz-node/example-support/log'
import { echoCopy as copyMessages, echoReadAll as readAllMessages, homeHTML } from './autobahn.js'

const upgrader = new Upgrader({
  readBufferSize: 4096,
  writeBufferSize: 4096,
  enableCompression: true,
  checkOrigin: (_r: IncomingMessage) => {
    return true
  }
})

/** Upgrade `r` and run `serve` on the connection; a refusal is logged as `Upgrade:`. */
async function upgradeTo (w: ServerResponse, r: IncomingMessage, serve: (conn: Conn) => Promise<void>): Promise<void> {
  let conn: Conn
  try {
    conn = await upgrader.upgrade(r, w)
  } catch (err) {
    log.println('Upgrade:', err)
    return
  }
  await serve(conn)
}

// echoCopy echoes messages from the client using io.Copy.
function echoCopy (w: ServerResponse, r: IncomingMessage, writerOnly: boolean): Promise<void> {
  return upgradeTo(w, r, (conn) => copyMessages(conn, writerOnly))
}

function echoCopyWriterOnly (r: IncomingMessage, w: ServerResponse): Promise<void> {
  return echoCopy(w, r, true)
}

function echoCopyFull (r: IncomingMessage, w: ServerResponse): Promise<void> {
  return echoCopy(w, r, false)
}

// echoReadAll echoes messages from the client by reading the entire message.
function echoReadAll (w: ServerResponse, r: IncomingMessage, writeMessage: boolean, writePrepared: boolean): Promise<void> {
  return upgradeTo(w, r, (conn) => readAllMessages(conn, writeMessage, writePrepared))
}

function echoReadAllWriter (r: IncomingMessage, w: ServerResponse): Promise<void> {
  return echoReadAll(w, r, false, false)
}

function echoReadAllWriteMessage (r: IncomingMessage, w: ServerResponse): Promise<void> {
  return echoReadAll(w, r, true, false)
}

function echoReadAllWritePreparedMessage (r: IncomingMessage, w: ServerResponse): Promise<void> {
  return echoReadAll(w, r, true, true)
}

function serveHome (r: IncomingMessage, w: ServerResponse): void {
  if (urlPath(r.url) !== '/') {
    httpError(w, 'Not found.', StatusNotFound)
    return
  }
  if (r.method !== 'GET') {
    httpError(w, 'Method not allowed', StatusMethodNotAllowed)
    return
  }
  w.setHeader('Content-Type', 'text/html; charset=utf-8')
  w.end(homeHTML)
}

const addr = flag.string('addr', ':9000', 'http service address')

function main (): void {
  flag.parse()
  const h = server.New(server.withHostPorts(addr.value))
  h.GET('/', adaptor.handler(serveHome))
  h.GET('/c', adaptor.handler(echoCopyWriterOnly))
  h.GET('/f', adaptor.handler(echoCopyFull))
  h.GET('/r', adaptor.handler(echoReadAllWriter))
  h.GET('/m', adaptor.handler(echoReadAllWriteMessage))
  h.GET('/p', adaptor.handler(echoReadAllWritePreparedMessage))
  h.spin()
}

try {
  main()
} catch (err) {
  log.fatal(err)
}
