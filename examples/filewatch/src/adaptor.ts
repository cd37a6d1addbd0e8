/**
 * gorilla/websocket's `examples/filewatch/main.go` on the recommended path: its `(w, r)` handlers as Node
 * `(req, res)` handlers through `adaptor.handler` in a `server.New` router, `/ws` upgraded by the gorilla-style
 * `Upgrader`; each connection gets the watched file whenever it changes (see `filewatch.ts`).
 * Run: `pnpm filewatch:adaptor [--addr host:port] <file>`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { Upgrader, WsCompatError, WsCompatErrorCode, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { StatusMethodNotAllowed, StatusNotFound, formValue, httpError, urlPath } from '@hertz-node/example-support/http'
import { log } from '@hertz-node/example-support/log'
import { homeData, homeTempl, lastModOf, reader, writer } from './filewatch.js'

const addr = flag.string('addr', ':8080', 'http service address')
let filename: string
const upgrader = new Upgrader({
  readBufferSize: 1024,
  writeBufferSize: 1024
})

async function serveWs (r: IncomingMessage, w: ServerResponse): Promise<void> {
  let ws: Conn
  try {
    ws = await upgrader.upgrade(r, w)
  } catch (err) {
    if (!(err instanceof WsCompatError && err.code === WsCompatErrorCode.HANDSHAKE)) {
      log.println(err)
    }
    return
  }

  const lastMod = lastModOf(formValue(r.url, 'lastMod'))

  void writer(ws, filename, lastMod)
  await reader(ws)
}

async function serveHome (r: IncomingMessage, w: ServerResponse): Promise<void> {
  if (urlPath(r.url) !== '/') {
    httpError(w, 'Not found', StatusNotFound)
    return
  }
  if (r.method !== 'GET') {
    httpError(w, 'Method not allowed', StatusMethodNotAllowed)
    return
  }
  w.setHeader('Content-Type', 'text/html; charset=utf-8')
  homeTempl.execute(w, await homeData(r.headers.host ?? '', filename))
  w.end()
}

function main (): void {
  flag.parse()
  if (flag.nArg() !== 1) {
    log.fatal('filename not specified')
  }
  filename = flag.args()[0] as string
  const h = server.New(server.withHostPorts(addr.value))
  h.GET('/', adaptor.handler(serveHome))
  h.GET('/ws', adaptor.handler(serveWs))
  h.spin()
}

try {
  main()
} catch (err) {
  log.fatal(err)
}
