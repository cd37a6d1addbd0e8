/**
 * hertz-contrib/websocket's `examples/command/main.go`, line by line: a `Default` server, the page on `GET /`
 * and `GET /ws` upgraded with the deprecated `HertzUpgrader`; each connection runs the command given on the
 * command line (see `command.ts`). Run: `pnpm command:legacy [--addr host:port] <command and arguments>`.
 */
import { readFileSync } from 'node:fs'
import { server, type Context, type RequestContext } from '@hertz-node/router'
import { HertzUpgrader, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { StatusMethodNotAllowed, StatusNotFound, StatusOK } from '@hertz-node/example-support/http'
import { log } from '@hertz-node/example-support/log'
import { commandPath, homeFile, serveCommand } from './command.js'

const addr = flag.string('addr', '127.0.0.1:8080', 'http service address')
let cmdPath: string

const upgrader = new HertzUpgrader()

async function serveWs (_: Context, c: RequestContext): Promise<void> {
  try {
    await upgrader.upgrade(c, async (ws: Conn) => {
      await serveCommand(ws, cmdPath, flag.args())
    })
  } catch (err) {
    log.println('upgrade:', err)
  }
}

// h.LoadHTMLGlob("home.html"): the router has no templates; the page is read once, as LoadHTMLGlob does.
let homeHTML: string

function serveHome (_: Context, c: RequestContext): void {
  log.println(`http://${c.host()}${c.req.url ?? '/'}`)
  if (c.path() !== '/') {
    log.print('Not found', StatusNotFound)
    return
  }
  if (c.method() !== 'GET') {
    log.print('Method not allowed', StatusMethodNotAllowed)
    return
  }
  c.html(StatusOK, homeHTML)
}

function main (): void {
  flag.parse()
  cmdPath = commandPath(flag.args())
  const h = server.Default(server.withHostPorts(addr.value))
  homeHTML = readFileSync(homeFile, 'utf8')
  h.GET('/', serveHome)
  h.GET('/ws', serveWs)
  h.spin()
}

try {
  main()
} catch (err) {
  log.fatal(err)
}
