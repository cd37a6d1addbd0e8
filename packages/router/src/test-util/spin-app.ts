// A server run with spin() in a child process, for the signal tests.
import { server } from '../index.js'

const h = server.Default(server.withHostPorts('127.0.0.1:0'), server.withExitWaitTime(Number(process.env.EXIT_WAIT ?? 3000)))
h.GET('/slow', async (_ctx, c) => {
  await new Promise(resolve => setTimeout(resolve, Number(process.env.SLOW_MS ?? 300)))
  c.string(200, 'slow done')
})
h.GET('/fast', (_ctx, c) => { c.string(200, 'fast') })
h.onShutdown.push(async () => {
  await new Promise(resolve => setTimeout(resolve, 50))
  console.log('shutdown hook ran')
})
void h.spin()
