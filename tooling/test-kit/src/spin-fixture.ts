/**
 * A server run with `spin()` in a child process, for every graceful-shutdown test (router, ws-compat and the
 * reliability suite); start it with `spinApp` (spin.ts). One `server.Default` serves:
 *   `/fast`, `/http`             answer at once
 *   `/slow`                      answers `slow done` after `?ms=` (default `SLOW_MS`); prints `INFLIGHT` when it starts
 *   `/legacy`, `/recommended`    echo WebSockets: HertzUpgrader in the router, Upgrader through adaptor.handler
 *   `?hold=ms` on any request    a middleware waits that long first (as an async authentication step would); prints `HELD`
 * Nothing here closes the WebSockets at shutdown: the close 1001 each live one gets must come from the router.
 * Every 101 names the serving process in `X-Pid`. Stdout: `READY <port>` once bound (per worker with `WORKERS`).
 * Env: `EXIT_WAIT` (ms, default 3000), `SLOW_MS` (default 1500), `WORKERS` (`withWorkers`, default 1),
 * `SHUTDOWN_HOOK` (set: an `onShutdown` hook that waits 50 ms and prints `shutdown hook ran`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server, type Context, type RequestContext } from '@hertz-node/router'
import { handler } from '@hertz-node/adaptor'
import { HertzUpgrader, Upgrader, type Conn } from '@hertz-node/ws-compat'
import { echo } from './echo.js'

const h = server.Default(
  server.withHostPorts('127.0.0.1:0'),
  server.withExitWaitTime(Number(process.env.EXIT_WAIT ?? 3000)),
  server.withWorkers(Number(process.env.WORKERS ?? 1))
)
const pid = String(process.pid)

h.use(async (ctx: Context, c: RequestContext) => {
  const hold = c.query('hold')
  if (hold !== '') {
    process.stdout.write('HELD\n')
    await new Promise(resolve => setTimeout(resolve, Number(hold)))
  }
  await c.next(ctx)
})

const legacy = new HertzUpgrader()
h.GET('/legacy', async (_ctx: Context, c: RequestContext) => {
  c.response.header.set('X-Pid', pid)
  try {
    await legacy.upgrade(c, echo)
  } catch {
    // refused: the answer is already written
  }
})

const upgrader = new Upgrader()
h.GET('/recommended', handler(async (req: IncomingMessage, res: ServerResponse) => {
  let conn: Conn
  try {
    conn = await upgrader.upgrade(req, res, { 'X-Pid': pid })
  } catch {
    return
  }
  await echo(conn)
}))

h.GET('/slow', async (_ctx: Context, c: RequestContext) => {
  process.stdout.write('INFLIGHT\n')
  const ms = c.query('ms')
  await new Promise(resolve => setTimeout(resolve, Number(ms !== '' ? ms : (process.env.SLOW_MS ?? 1500))))
  c.string(200, 'slow done')
})

h.GET('/fast', (_ctx: Context, c: RequestContext) => { c.string(200, 'fast') })
h.GET('/http', (_ctx: Context, c: RequestContext) => { c.string(200, 'ok') })

if (process.env.SHUTDOWN_HOOK !== undefined) {
  h.onShutdown.push(async () => {
    await new Promise(resolve => setTimeout(resolve, 50))
    console.log('shutdown hook ran')
  })
}

void h.spin()

// spin() listens asynchronously; report the port once it is bound.
const timer = setInterval(() => {
  try {
    const addr = h.address()
    if (addr !== null && typeof addr === 'object') {
      clearInterval(timer)
      process.stdout.write(`READY ${addr.port}\n`)
    }
  } catch {
    // not listening yet
  }
}, 10)
