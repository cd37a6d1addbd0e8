/**
 * gorilla/websocket's `examples/command/main.go` on the recommended path: its `(w, r)` handlers as Node
 * `(req, res)` handlers through `adaptor.handler` in a `server.New` router, `/ws` upgraded by the gorilla-style
 * `Upgrader`; each connection runs the command given on the command line (see `command.ts`).
 * Run: `pnpm command:adaptor [--addr host:port] <command and arguments>`.
 */
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { Upgrader, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { StatusMethodNotAllowed, StatusNotFound, httpError, urlPath } from '@hertz-node/example-support/http'
import { log } from '@hertz-node/example-support/log'
import { commandPath, homeFile, serveCommand } from './command.js'

const addr = flag.string('addr', '127.0.0.1:8080', 'http service address')
let cmdPath: string

const upgrader = new Upgrader()

async function serveWs (r: IncomingMessage, w: ServerResponse): Promise<void> {
  let ws: Conn
  try {
    ws = await upgrader.upgrade(r, w)
  } catch (err) {
    log.println('upgrade:', err)
    return
  }
  await serveCommand(ws, cmdPath, flag.args())
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
  // http.ServeFile(w, r, "home.html"): read at each request, typed by its extension.
  const page = await readFile(homeFile)
  w.setHeader('Content-Type', 'text/html; charset=utf-8')
  w.end(page)
}

function main (): void {
  flag.parse()
  cmdPath = commandPath(flag.args())
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
