/**
 * hertz-contrib/websocket's `examples/autobahn/server.go`, line by line: the Autobahn test suite's server on a
 * `Default` server, every echo route upgraded with the deprecated `HertzUpgrader` (compression on, any
 * origin); the echo loops are in `autobahn.ts`. Run: `pnpm autobahn:legacy [--addr host:port]`.
 */
import { server, type Context, type RequestContext } from '@hertz-node/router'
import { HertzUpgrader, type Conn } from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { StatusMethodNotAllowed, StatusNotFound, StatusOK } from '@hertz-node/example-support/http'
import { log } from '@hertz-node/example-support/log'
import { echoCopy as copyMessages, echoReadAll as readAllMessages, homeHTML } from './autobahn.js'

const upgrader = new HertzUpgrader({
  readBufferSize: 4096,
  writeBufferSize: 4096,
  enableCompression: true,
  checkOrigin: (_ctx: RequestContext) => {
    return true
  }
})

/** Upgrade `ctx` and run `serve` on the connection; a refusal is logged as `Upgrade:`. */
async function upgradeTo (ctx: RequestContext, serve: (conn: Conn) => Promise<void>): Promise<void> {
  try {
    await upgrader.upgrade(ctx, serve)
  } catch (err) {
    log.println('Upgrade:', err)
  }
}

// echoCopy echoes messages from the client using io.Copy.
function echoCopy (ctx: RequestContext, writerOnly: boolean): Promise<void> {
  return upgradeTo(ctx, (conn) => copyMessages(conn, writerOnly))
}

function echoCopyWriterOnly (_: Context, c: RequestContext): Promise<void> {
  return echoCopy(c, true)
}

function echoCopyFull (_: Context, c: RequestContext): Promise<void> {
  return echoCopy(c, false)
}

// echoReadAll echoes messages from the client by reading the entire message.
function echoReadAll (ctx: RequestContext, writeMessage: boolean, writePrepared: boolean): Promise<void> {
  return upgradeTo(ctx, (conn) => readAllMessages(conn, writeMessage, writePrepared))
}

function echoReadAllWriter (_: Context, c: RequestContext): Promise<void> {
  return echoReadAll(c, false, false)
}

function echoReadAllWriteMessage (_: Context, c: RequestContext): Promise<void> {
  return echoReadAll(c, true, false)
}

function echoReadAllWritePreparedMessage (_: Context, c: RequestContext): Promise<void> {
  return echoReadAll(c, true, true)
}

function serveHome (_: Context, c: RequestContext): void {
  if (c.path() !== '/') {
    c.abortWithStatus(StatusNotFound)
    return
  }
  if (c.method() !== 'GET') {
    c.abortWithStatus(StatusMethodNotAllowed)
    return
  }
  c.response.header.set('Content-Type', 'text/html; charset=utf-8')
  c.string(StatusOK, homeHTML)
}

const addr = flag.string('addr', ':9000', 'http service address')

function main (): void {
  flag.parse()
  // server.Default() creates a Hertz with recovery middleware.
  // If you need a pure hertz, you can use server.New()
  const h = server.Default(server.withHostPorts(addr.value))
  h.GET('/', serveHome)
  h.GET('/c', echoCopyWriterOnly)
  h.GET('/f', echoCopyFull)
  h.GET('/r', echoReadAllWriter)
  h.GET('/m', echoReadAllWriteMessage)
  h.GET('/p', echoReadAllWritePreparedMessage)

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
