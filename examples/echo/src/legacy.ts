/**
 * The echo server of the Hertz WebSocket guide's legacy section (hertz-contrib/websocket), line by line: a
 * `Default` server with `noHijackConnPool`, the home page on `GET /`, and `GET /echo` upgraded with the
 * deprecated hijack-based `HertzUpgrader`. Run: `pnpm echo:legacy [--addr host:port]`.
 */
import { server, type Context, type Hertz, type RequestContext } from '@hertz-node/router'
import { HertzUpgrader, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { homeTemplate } from './home.js'
import { log } from '@hertz-node/example-support/log'
import { isMain } from '@hertz-node/example-support/main'

const addr = flag.string('addr', 'localhost:8080', 'http service address')

const upgrader = new HertzUpgrader() // use default options

async function echo (_: Context, c: RequestContext): Promise<void> {
  try {
    await upgrader.upgrade(c, async (conn: Conn) => {
      for (;;) {
        let mt: number, message: Buffer
        try {
          [mt, message] = await conn.readMessage()
        } catch (err) {
          log.println('read:', err)
          break
        }
        log.printf('recv: %s', message)
        try {
          await conn.writeMessage(mt, message)
        } catch (err) {
          log.println('write:', err)
          break
        }
      }
    })
  } catch (err) {
    log.print('upgrade:', err)
  }
}

function home (_: Context, c: RequestContext): void {
  c.setContentType('text/html; charset=utf-8')
  homeTemplate.execute(c, 'ws://' + c.host() + '/echo')
}

/** The app on `hostPorts`, not started: `main` spins it, the tests serve it in memory (`h.inject`, `injectWS`). */
export function newServer (hostPorts: string): Hertz {
  const h = server.Default(server.withHostPorts(hostPorts))
  // https://github.com/cloudwego/hertz/issues/121
  h.noHijackConnPool = true
  h.GET('/', home)
  h.GET('/echo', echo)
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
