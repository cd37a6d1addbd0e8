/**
 * `describeMatrix`: one case table, run over every path a WebSocket can take through the stack
 * (legacy: HertzUpgrader inside the router; recommended: adaptor.handler + Upgrader inside the router).
 * `RELIABILITY_PATHS=legacy` (comma list) narrows a run to some paths; `bare-ws` selects the `ws` reference.
 * Path names and the runner are the test kit's, shared with the packages' own matrix tests.
 */
import type { Test } from 'tap'
import { forEachPath } from '@hertz-node/test-kit/matrix'
import type { AppOptions, PathName, ServerUnderTest } from './app-types.js'
import { startBareWs } from './bare-ws-server.js'

/** How to start the app for one path. */
export interface PathDef {
  name: PathName
  start: (opts?: AppOptions) => Promise<ServerUnderTest>
}

/** The reference path (`ws` on `node:http`), for validating the suite's own tools. */
export const BARE_WS: PathDef = { name: 'bare-ws', start: startBareWs }

/** The two paths under test. Loaded lazily so the tools stay usable while a package is missing. */
export const LEGACY: PathDef = {
  name: 'legacy',
  start: async opts => (await import('./legacy-app.js')).startLegacy(opts)
}
export const RECOMMENDED: PathDef = {
  name: 'recommended',
  start: async opts => (await import('./recommended-app.js')).startRecommended(opts)
}

const ALL: Record<PathName, PathDef> = { 'bare-ws': BARE_WS, legacy: LEGACY, recommended: RECOMMENDED }

/** The paths this run covers: both paths under test unless `RELIABILITY_PATHS` narrows it. */
export function matrixPaths (): PathDef[] {
  const env = process.env.RELIABILITY_PATHS
  if (env === undefined || env === '') return [LEGACY, RECOMMENDED]
  return env.split(',').map(s => {
    const p = ALL[s.trim() as PathName]
    if (p === undefined) throw new Error(`unknown path ${s} in RELIABILITY_PATHS (legacy, recommended, bare-ws)`)
    return p
  })
}

/**
 * Runs `body` once per path as a subtest named `<title> [<path>]`. The server it starts through
 * `path.start()` is the test's to close; `startFor` does that in teardown.
 */
export function describeMatrix (
  t: Test,
  title: string,
  body: (t: Test, path: PathDef) => Promise<void>,
  paths: PathDef[] = matrixPaths()
): void {
  forEachPath(t, title, paths, body)
}

/** Starts `path`'s app and closes it in the test's teardown. */
export async function startFor (t: Test, path: PathDef, opts?: AppOptions): Promise<ServerUnderTest> {
  const app = await path.start(opts)
  t.teardown(() => app.close())
  return app
}
