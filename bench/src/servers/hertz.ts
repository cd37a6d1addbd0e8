/**
 * How every variant built on @hertz-node/router starts: `server.Default` (recovery included, as
 * users start it), the native `GET /hello`, then the variant's own routes.
 */
import { server, type Hertz } from '@hertz-node/router'
import { HELLO, HELLO_PATH } from './common.js'
import type { RunningServer } from './types.js'

/** Starts a router on `host:port` with `/hello` and whatever `routes` registers. */
export async function startHertz (host: string, port: number, routes: (h: Hertz) => void = nativeHello): Promise<RunningServer> {
  const h = server.Default(server.withHostPorts(`${host}:${port}`))
  routes(h)
  await h.run()
  return { address: h.address(), close: () => h.close() }
}

/** `GET /hello` with a native handler. */
export function nativeHello (h: Hertz): void {
  h.GET(HELLO_PATH, (_ctx, c) => { c.json(200, HELLO) })
}
