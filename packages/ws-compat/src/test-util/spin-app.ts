/**
 * A server run with `spin()` in a child process, for the graceful-shutdown test: both WebSocket paths
 * (`/legacy`: HertzUpgrader in the router, `/recommended`: Upgrader through adaptor.handler) echo, `/slow`
 * answers after `SLOW_MS`. Nothing here closes the WebSockets at shutdown: the connections do it themselves.
 * Every 101 names the serving process in `X-Pid`.
 * Env: `EXIT_WAIT` (ms, default 5000), `SLOW_MS` (default 500), `WORKERS` (`withWorkers`, default 1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { server } from '@hertz-node/router'
import { handler } from '@hertz-node/adaptor'
import type { Conn } from '../conn/conn.js'
import { HertzUpgrader } from '../legacy/hertz-upgrader.js'
import { Upgrader } from '../handshake/upgrader.js'
import { echo } from './matrix.js'

const h = server.Default(
  server.withHostPorts('127.0.0.1:0'),
  server.withExitWaitTime(Number(process.env.EXIT_WAIT ?? 5000)),
  server.withWorkers(Number(process.env.WORKERS ?? 1)),
)
const pid = String(process.pid)

const legacy = new HertzUpgrader()
h.GET('/legacy', async (_ctx, c) => {
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

h.GET('/slow', async (_ctx, c) => {
  process.stdout.write('in flight\n')
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.SLOW_MS ?? 500)))
  c.string(200, 'slow done')
})

void h.spin()
