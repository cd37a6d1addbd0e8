/**
 * The echo apps on top of the examples' process support (`@hertz-node/example-support/spawn-app`): their
 * names, the three-server matrix, and `spawnApp` / `startServer` bound to `examples/echo`.
 */
import * as support from '@hertz-node/example-support/spawn-app'
import type { AppProcess, RunningServer } from '@hertz-node/example-support/spawn-app'

export { AppProcess, LISTENING, NODE_FLAGS, REPO_ROOT, waitListening } from '@hertz-node/example-support/spawn-app'
export type { Exit, RunningServer } from '@hertz-node/example-support/spawn-app'

/** The runnable scripts in examples/echo/src. */
export type AppName = 'legacy' | 'adaptor' | 'fastify' | 'client'

/** The three servers. */
export const ALL_SERVERS = ['legacy', 'adaptor', 'fastify'] as const

/** A server app's name. */
export type ServerName = typeof ALL_SERVERS[number]

/**
 * The servers a test matrix runs over: all three, or the comma-separated subset in `ECHO_SERVERS`
 * (e.g. `ECHO_SERVERS=fastify npx tap examples/echo/src/echo.test.ts`).
 */
export const SERVERS: readonly ServerName[] = process.env.ECHO_SERVERS === undefined
  ? ALL_SERVERS
  : ALL_SERVERS.filter((name) => (process.env.ECHO_SERVERS as string).split(',').includes(name))

/** The command line of `pnpm echo:<name>` as the root package.json spells it. */
export function appCommand (name: AppName): string {
  return support.appCommand('echo', name)
}

/** Start one of the echo scripts with the given arguments; nothing is awaited. */
export function spawnApp (name: AppName, args: readonly string[] = []): AppProcess {
  return support.spawnApp('echo', name, args)
}

/** Start a server on `addr` (default `127.0.0.1:0`) and wait until it prints where it listens. */
export function startServer (name: ServerName, addr = '127.0.0.1:0'): Promise<RunningServer> {
  return support.waitListening(spawnApp(name, ['--addr', addr]))
}
