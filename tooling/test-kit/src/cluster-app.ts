// A server run with spin() on WORKERS (default 2) worker processes, for the worker tests. Every answer names the
// worker's pid; `/raw` is a hijacked line-echo upgrade that says `bye <pid>` when its worker shuts down.
// Env: WORKERS, EXIT_WAIT (ms, default 3000), SLOW_MS (default 300), CRASH (any value: every worker fails to start).
import { server, onSocketShutdown } from '@hertz-node/router'

const h = server.New(
  server.withHostPorts('127.0.0.1:0'),
  server.withWorkers(Number(process.env.WORKERS ?? 2)),
  server.withExitWaitTime(Number(process.env.EXIT_WAIT ?? 3000))
)
h.GET('/pid', (_ctx, c) => { c.string(200, '%d', process.pid) })
h.GET('/slow', async (_ctx, c) => {
  await new Promise(resolve => setTimeout(resolve, Number(process.env.SLOW_MS ?? 300)))
  c.string(200, 'slow done %d', process.pid)
})
h.GET('/raw', (_ctx, c) => {
  c.setStatusCode(101)
  c.header('Upgrade', 'line-echo')
  c.header('Connection', 'Upgrade')
  c.header('X-Pid', String(process.pid))
  c.hijack(async conn => {
    onSocketShutdown(conn.socket, () => conn.write(`bye ${process.pid}\n`))
    try {
      for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) await conn.write(chunk)
    } catch {
      // closed under the loop
    }
  })
})
h.onRun.push(() => {
  if (process.env.CRASH !== undefined) throw new Error('cannot start')
})
h.onShutdown.push(() => { console.log(`shutdown hook ran in pid=${process.pid}`) })
void h.spin()
