/**
 * What the apps of both paths share (`legacy-app.ts`, `recommended-app.ts`): the router server, the
 * HTTP routes and the WebSocket handler with its test commands. Both paths serve the same endpoints,
 * so one case table fits both:
 *   `<wsPath>`        echo; a text message `flood` makes the server write 64 KiB messages until a write
 *                     fails, `hold` makes it stop reading until the peer leaves
 *   `<wsPath>/throw`  the WebSocket handler throws synchronously right after the upgrade
 *   `<wsPath>/reject` the WebSocket handler rejects after the first message
 *   `<wsPath>/early`  the handler throws before upgrading (the router answers 500)
 *   `/http`           200 `ok`; `/http/throw` throws, `/http/reject` rejects; `/http/slow?ms=` answers late
 */
import type { AddressInfo } from 'node:net'
import { server, type Context, type HandlerFunc, type RequestContext } from '@hertz-node/router'
import { BinaryMessage, TextMessage, type Conn } from '@hertz-node/ws-compat'
import type { AppOptions, PathName, RouteExtra, ServerUnderTest } from './app-types.js'

/** The router's idle-timeout option (short in tests, so keep-alive sockets of refused handshakes close soon). */
export function idleTimeoutOption (ms: number): unknown {
  return server.withIdleTimeout(ms)
}

/** The router's header-timeout option (slowloris tests). */
export function readHeaderTimeoutOption (ms: number): unknown {
  return server.withReadHeaderTimeout(ms)
}

const FLOOD_CHUNK = Buffer.alloc(64 * 1024, 0x66)

/** Server-side state every handler shares, observed by the tests. */
export class AppState {
  readonly live = new Set<Conn>()
  readonly handlerErrors: unknown[] = []
  readonly upgradeErrors: unknown[] = []
  /** Bytes the flood handler managed to hand to the socket. */
  flooded = 0

  constructor (readonly opts: AppOptions) {}

  /** The echo loop of the seed, with the test commands. */
  async serve (conn: Conn, mode: string): Promise<void> {
    this.live.add(conn)
    try {
      if (this.opts.readLimit !== undefined) conn.setReadLimit(this.opts.readLimit)
      if (this.opts.writeTimeoutMs !== undefined) conn.netConn().setWriteTimeout(this.opts.writeTimeoutMs)
      if (mode === 'throw') throw new Error('handler threw after the upgrade')
      for (;;) {
        const [mt, data] = await conn.readMessage()
        if (mode === 'reject') throw new Error('handler rejected after a message')
        if (mt === TextMessage && data.toString() === 'flood') {
          for (;;) {
            await conn.writeMessage(BinaryMessage, FLOOD_CHUNK)
            this.flooded += FLOOD_CHUNK.length
          }
        }
        if (mt === TextMessage && data.toString() === 'hold') {
          // Stop reading until release(): the peer's messages pile up in the connection's bounded queue.
          await new Promise<void>(resolve => this.holds.add(resolve))
          continue
        }
        await conn.writeMessage(mt, data)
      }
    } catch (err) {
      this.handlerErrors.push(err)
      if (mode === 'throw' || mode === 'reject') throw err
    } finally {
      conn.close()
      this.live.delete(conn)
    }
  }

  private readonly holds = new Set<() => void>()

  /** Ends every `hold`: the handlers go back to reading (and find what queued up meanwhile). */
  release (): void {
    for (const done of this.holds) done()
    this.holds.clear()
  }
}

/** The handler mode a WebSocket route runs in, from the last segment of its path. */
export function modeOf (path: string): string {
  const last = path.slice(path.lastIndexOf('/') + 1)
  return last === 'throw' || last === 'reject' || last === 'early' ? last : 'echo'
}

/** Builds the path's WebSocket route; `extra.responseHeader` goes onto the 101 (or is refused). */
export type WsRouteFactory = (extra?: RouteExtra) => HandlerFunc

/**
 * Starts the app: the HTTP routes, the path's WebSocket route at `<wsPath>` and its fault variants, then
 * `opts.setup(h, wsRoute)` for routes a test adds (groups, static files, ...).
 */
export async function startRouterApp (
  name: PathName,
  opts: AppOptions,
  makeRoute: (state: AppState) => WsRouteFactory
): Promise<ServerUnderTest> {
  const wsPath = opts.wsPath ?? '/ws'
  const h = server.Default(server.withHostPorts('127.0.0.1:0'), ...(opts.serverOptions ?? []) as Parameters<typeof server.Default>)
  const state = new AppState(opts)
  h.GET('/http', (_ctx: Context, c: RequestContext) => { c.string(200, 'ok') })
  h.GET('/http/throw', () => { throw new Error('sync throw in a route') })
  h.GET('/http/reject', async () => { await Promise.resolve(); throw new Error('rejection in a route') })
  h.GET('/http/slow', async (_ctx: Context, c: RequestContext) => {
    await new Promise(resolve => setTimeout(resolve, Number(c.query('ms') ?? 500)))
    c.string(200, 'slow done')
  })
  const wsRoute = makeRoute(state)
  for (const p of [wsPath, `${wsPath}/throw`, `${wsPath}/reject`, `${wsPath}/early`]) h.any(p, wsRoute())
  opts.setup?.(h, wsRoute)
  await h.run()
  const port = (h.address() as AddressInfo).port
  return {
    name,
    port,
    host: `127.0.0.1:${port}`,
    wsPath,
    release: () => state.release(),
    flooded: () => state.flooded,
    handlerErrors: state.handlerErrors,
    upgradeErrors: state.upgradeErrors,
    liveConns: () => state.live.size,
    emitters: {},
    close: async () => {
      state.release()
      for (const conn of state.live) conn.close()
      await h.close()
    }
  }
}
