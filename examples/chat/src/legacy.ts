/**
 * hertz-contrib/websocket's `examples/chat/main.go`, line by line: a `Default` server, the page on `GET /`
 * and `GET /ws` upgraded with the deprecated `HertzUpgrader`; the hub and the pumps are hub.ts and client.ts.
 * Run: `pnpm chat:legacy [--addr host:port] [--redis redis://host:port]`.
 */
import { server, type Context, type RequestContext } from '@hertz-node/router'
import { HertzUpgrader, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { StatusMethodNotAllowed, StatusNotFound, StatusOK } from '@hertz-node/example-support/http'
import { log } from '@hertz-node/example-support/log'
import { serveClient } from './client.js'
import { homeFile, relayFlag } from './setup.js'
import { newHub } from './hub.js'

const upgrader = new HertzUpgrader({
  readBufferSize: 1024,
  writeBufferSize: 1024,
  checkOrigin: (_c: RequestContext) => true
})

const addr = flag.string('addr', ':8080', 'http service address')
const redis = relayFlag()

const hub = newHub()

function serveHome (_: Context, c: RequestContext): void {
  if (c.path() !== '/') {
    log.print('Not found', StatusNotFound)
    return
  }
  if (c.method() !== 'GET') {
    log.print('Method not allowed', StatusMethodNotAllowed)
    return
  }
  c.html(StatusOK, 'home.html', null)
}

async function serveWs (c: RequestContext): Promise<void> {
  try {
    await upgrader.upgrade(c, async (conn: Conn) => {
      await serveClient(hub, conn)
    })
  } catch (err) {
    log.println(err)
  }
}

function main (): void {
  flag.parse()
  redis.connect(hub)
  const h = server.Default(server.withHostPorts(addr.value))
  // "home.html" in Go is relative to the example's folder, where `go run` runs; the scripts run from the root.
  h.loadHTMLGlob(homeFile)
  h.GET('/', serveHome)
  h.GET('/ws', (_ctx, ctx) => serveWs(ctx))
  h.onShutdown.push(() => redis.close())
  h.spin()
}

try {
  main()
} catch (err) {
  log.fatal(err)
}
