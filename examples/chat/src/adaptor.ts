/**
 * gorilla/websocket's `examples/chat/main.go` on the recommended path: its `(w, r)` handlers as Node
 * `(req, res)` handlers through `adaptor.handler` in a `server.New` router, `/ws` upgraded by the gorilla-style
 * `Upgrader`; the hub and the pumps are hub.ts and client.ts.
 * Run: `pnpm chat:adaptor [--addr host:port] [--redis redis://host:port]`.
 */
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { Upgrader, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { StatusMethodNotAllowed, StatusNotFound, httpError, urlPath } from '@hertz-node/example-support/http'
import { log } from '@hertz-node/example-support/log'
import { serveClient } from './client.js'
import { newHub, type Hub } from './hub.js'
import { homeFile, relayFlag } from './setup.js'

const addr = flag.string('addr', ':8080', 'http service address')
const redis = relayFlag()

const upgrader = new Upgrader({
  readBufferSize: 1024,
  writeBufferSize: 1024
})

async function serveHome (r: IncomingMessage, w: ServerResponse): Promise<void> {
  log.println(r.url)
  if (urlPath(r.url) !== '/') {
    httpError(w, 'Not found', StatusNotFound)
    return
  }
  if (r.method !== 'GET') {
    httpError(w, 'Method not allowed', StatusMethodNotAllowed)
    return
  }
  // http.ServeFile(w, r, "home.html"): read at each request, typed by its extension.
  const page = await readFile(homeFile)
  w.setHeader('Content-Type', 'text/html; charset=utf-8')
  w.end(page)
}

/** serveWs handles websocket requests from the peer. */
async function serveWs (hub: Hub, w: ServerResponse, r: IncomingMessage): Promise<void> {
  let conn: Conn
  try {
    conn = await upgrader.upgrade(r, w)
  } catch (err) {
    log.println(err)
    return
  }
  // Go starts both pumps in new goroutines and returns, "to allow collection of memory referenced by the
  // caller": returning the pumps' promise instead of awaiting it lets this frame (and r, w) go.
  return serveClient(hub, conn)
}

function main (): void {
  flag.parse()
  const hub = newHub()
  redis.connect(hub)
  const h = server.New(server.withHostPorts(addr.value))
  h.GET('/', adaptor.handler(serveHome))
  h.GET('/ws', adaptor.handler((r, w) => serveWs(hub, w, r)))
  h.onShutdown.push(() => redis.close())
  h.spin()
}

try {
  main()
} catch (err) {
  log.fatal(err)
}
