/**
 * The workers suite's server: the router's `GET /hello` (as the `router` variant) run by `spin()` on
 * `WORKERS` processes (`server.withWorkers`). `node ... spin-hello.ts --addr 127.0.0.1:0`; SIGTERM stops it.
 */
import { server } from '@hertz-node/router'
import { parseAddr } from '@hertz-node/test-kit/host-port'
import { nativeHello } from './servers/hertz.js'

const i = process.argv.indexOf('--addr')
const { host, port } = parseAddr(i > 0 ? process.argv[i + 1] ?? '' : '127.0.0.1:0')
const h = server.Default(
  server.withHostPorts(`${host.includes(':') ? `[${host}]` : host}:${port}`),
  server.withWorkers(Number(process.env.WORKERS ?? 1))
)
nativeHello(h)
void h.spin()
