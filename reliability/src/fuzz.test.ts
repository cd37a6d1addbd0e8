/**
 * Section 2: frame fuzz. At least `RELIABILITY_FUZZ_FRAMES` (default 10 000) generated and mutated frames
 * per path; every connection must end with the close code RFC 6455 requires (1002 / 1007 / 1009), the
 * close handshake and a closed socket, with no uncaught error and the server back to baseline.
 * Run: `npx tap --disable-coverage reliability/src/fuzz.test.ts`; one case:
 * `RELIABILITY_SEED=<seed> RELIABILITY_FUZZ_CASE=<id> npx tap --disable-coverage reliability/src/fuzz.test.ts`.
 */
import t from 'tap'
import { runFuzz } from './lib/fuzz-runner.js'
import { describeMatrix, startFor } from './lib/matrix.js'
import { runSeed } from './lib/prng.js'
import { recordCounts } from './lib/report.js'
import { CrashWatch, expectBaseline, snapshot } from './lib/resources.js'

/** Read limit of the fuzzed endpoint: big enough for 64-bit-length messages, small enough to exceed cheaply. */
const LIMIT = 128 * 1024
const seed = runSeed()
const minFrames = Number(process.env.RELIABILITY_FUZZ_FRAMES ?? 10_000)
const only = process.env.RELIABILITY_FUZZ_CASE === undefined ? undefined : Number(process.env.RELIABILITY_FUZZ_CASE)
const command = `RELIABILITY_SEED=${seed} npx tap --disable-coverage reliability/src/fuzz.test.ts`

t.comment(`seed ${seed}; ${only === undefined ? `${minFrames} frames per path` : `case ${only} only`}`)

describeMatrix(t, 'frame fuzz', async (t, path) => {
  const app = await startFor(t, path, { readLimit: LIMIT })
  const base = snapshot(app.emitters)
  const watch = new CrashWatch().start()
  const tally = await runFuzz({ port: app.port, path: app.wsPath, seed, limit: LIMIT, minFrames, concurrency: 24, deadlineMs: 90_000, only })
  t.same(watch.stop(), [], 'no uncaught error or unhandled rejection')
  if (only === undefined) t.ok(tally.frames >= minFrames, `${tally.frames} frames in ${tally.cases} connections`)
  t.comment(`${tally.violatingFrames} violating frames, ${tally.frames - tally.violatingFrames} valid prefix frames`)
  for (const [category, c] of Object.entries(tally.byCategory).sort()) {
    recordCounts({ section: 'frame fuzz', name: category, path: path.name, ...c, command })
  }
  const lost = tally.lost.map(l => `case ${l.id} (${l.category}): ${l.problem}`)
  t.same(lost.slice(0, 20), [], `every connection closed as RFC 6455 requires (${tally.lost.length} lost)`)
  // Every connection's read loop must end with a typed error: a CloseError (numeric code) or a WsCompatError.
  const byCode: Record<string, number> = {}
  for (const e of app.handlerErrors) {
    const code = (e as { code?: unknown }).code
    const key = typeof code === 'string' || typeof code === 'number' ? String(code) : `untyped ${String(e)}`
    byCode[key] = (byCode[key] ?? 0) + 1
  }
  t.comment(`handler errors by code: ${JSON.stringify(byCode)}`)
  t.same(Object.keys(byCode).filter(k => k.startsWith('untyped')), [], 'every read loop ended with a typed error')
  const deadline = Date.now() + 5000
  while (app.liveConns() > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  t.equal(app.liveConns(), 0, 'no WebSocket left open on the server')
  await expectBaseline(t, base, 'after the fuzz run', app.emitters)
})
