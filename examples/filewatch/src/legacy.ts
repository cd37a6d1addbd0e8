/**
 * hertz-contrib/websocket's `examples/filewatch/main.go`, line by line: a `New` server, the page on `GET /`,
 * `GET /ws` upgraded with the deprecated `HertzUpgrader`, and a `noRoute` answer; each connection gets the
 * watched file whenever it changes (see `filewatch.ts`).
 * Run: `pnpm filewatch:legacy [--addr host:port] <file>`.
 */
import { server, type Context, type RequestContext } from '@hertz-node/router'
import { HertzUpgrader, WsCompatError, WsCompatErrorCode, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { StatusMethodNotAllowed, StatusNotFound } from '@hertz-node/example-support/http'
import { log } from '@hertz-node/example-support/log'
import { homeData, homeTempl, lastModOf, reader, writer } from './filewatch.js'

const addr = flag.string('addr', ':8080', 'http service address')
let filename: string
const upgrader = new HertzUpgrader({
  readBufferSize: 1024,
  writeBufferSize: 1024
})

async function serveWs (_: Context, ctx: RequestContext): Promise<void> {
  try {
    await upgrader.upgrade(ctx, async (ws: Conn) => {
      const lastMod = lastModOf(ctx.formValue('lastMod'))

      void writer(ws, filename, lastMod)
      await reader(ws)
    })
  } catch (err) {
    // As in hertz-contrib's original: only handshake refusals are logged (gorilla's logs the others).
    if (err instanceof WsCompatError && err.code === WsCompatErrorCode.HANDSHAKE) {
      log.println(err)
    }
  }
}

async function serveHome (_: Context, ctx: RequestContext): Promise<void> {
  if (ctx.method() !== 'GET') {
    ctx.abortWithMsg('Method not allowed', StatusMethodNotAllowed)
    return
  }

  ctx.setContentType('text/html; charset=utf-8')

  homeTempl.execute(ctx, await homeData(ctx.host(), filename))
}

function main (): void {
  flag.parse()
  if (flag.nArg() !== 1) {
    log.fatal('filename not specified')
  }
  filename = flag.args()[0] as string

  const h = server.New(server.withHostPorts(addr.value))

  h.GET('/', serveHome)

  h.GET('/ws', serveWs)

  h.noRoute((_: Context, ctx: RequestContext) => {
    ctx.abortWithMsg('Unsupported path', StatusNotFound)
  })

  h.spin()
}

try {
  main()
} catch (err) {
  log.fatal(err)
}
