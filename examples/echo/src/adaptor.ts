/**
 * The echo server of the Hertz WebSocket guide's recommended path, line by line: `server.New` with the
 * address, and both routes as plain `(req, res)` handlers wrapped by `adaptor.handler`, the WebSocket one
 * upgraded by the gorilla-style `Upgrader`. Run: `pnpm echo:adaptor [--addr host:port]` (or `pnpm start`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server, type Hertz } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { Upgrader, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { homeTemplate } from './home.js'
import { log } from '@hertz-node/example-support/log'
import { isMain } from '@hertz-node/example-support/main'

const addr = flag.string('addr', 'localhost:8080', 'http service address')

const upgrader = new Upgrader() // use default options

async function echo (r: IncomingMessage, w: ServerResponse): Promise<void> {
  let c: Conn
  try {
    c = await upgrader.upgrade(r, w)
  } catch (err) {
    log.print('upgrade:', err)
    return
  }
  try {
    for (;;) {
      let mt: number, message: Buffer
      try {
        [mt, message] = await c.readMessage()
      } catch (err) {
        log.println('read:', err)
        break
      }
      log.printf('recv: %s', message)
      try {
        await c.writeMessage(mt, message)
      } catch (err) {
        log.println('write:', err)
        break
      }
    }
  } finally {
    c.close()
  }
}

function home (r: IncomingMessage, w: ServerResponse): void {
  w.setHeader('Content-Type', 'text/html; charset=utf-8')
  homeTemplate.execute(w, 'ws://' + (r.headers.host ?? '') + '/echo')
  // A Node handler ends its response itself; Go's net/http does it when the handler returns.
  w.end()
}

/** The app on `hostPorts`, not started: `main` spins it, the tests serve it in memory (`h.inject`, `injectWS`). */
export function newServer (hostPorts: string): Hertz {
  const h = server.New(server.withHostPorts(hostPorts))

  h.GET('/', adaptor.handler(home))
  h.GET('/echo', adaptor.handler(echo))
  return h
}

function main (): void {
  flag.parse()
  const h = newServer(addr.value)
  h.spin()
}

if (isMain(import.meta.url)) {
  try {
    main()
  } catch (err) {
    log.fatal(err)
  }
}
