/**
 * Section 3a: load with faults. 5 000 WebSockets held open at once per path, interleaved with 1 500
 * connections cut abruptly (FIN or RST) mid-handshake or mid-message; every held connection must echo and
 * close cleanly, and afterwards the server is back to its baseline of handles, sockets and listeners.
 * Run: `npx tap --disable-coverage reliability/src/load.test.ts` (`RELIABILITY_LOAD_HELD=` to scale).
 */
import t from 'tap'
import { runLoad } from './lib/load.js'
import { describeMatrix, startFor } from './lib/matrix.js'
import { runSeed } from './lib/prng.js'
import { RawConn } from './lib/raw-client.js'
import { recordCounts } from './lib/report.js'
import { CrashWatch, expectBaseline, snapshot } from './lib/resources.js'

const seed = runSeed()
const held = Number(process.env.RELIABILITY_LOAD_HELD ?? 5000)
const cuts = Math.round(held * 0.15)
const command = `RELIABILITY_SEED=${seed} npx tap --disable-coverage reliability/src/load.test.ts`

describeMatrix(t, `${held} concurrent WebSockets with abrupt disconnects`, async (t, path) => {
  const app = await startFor(t, path)
  const base = snapshot(app.emitters)
  const watch = new CrashWatch().start()
  const r = await runLoad({ port: app.port, path: app.wsPath, seed, held, cutMidHandshake: cuts, cutMidMessage: cuts, maxConnecting: 128, deadlineMs: 100_000 })
  t.same(watch.stop(), [], 'no uncaught error or unhandled rejection')
  t.same(r.failures, [], `no failures (${r.failureCount}) in ${r.elapsedMs} ms`)
  t.equal(r.echoed, held, 'every held connection echoed')
  t.equal(r.peakOpen, held, `${held} connections open at once`)
  t.same([r.cutMidHandshake, r.cutMidMessage], [cuts, cuts], 'every abrupt disconnect happened')
  t.equal(r.closedClean, held, 'every held connection completed the close handshake')
  const deadline = Date.now() + 10_000
  while (app.liveConns() > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  t.equal(app.liveConns(), 0, 'every server-side WebSocket ended')
  const probe = await RawConn.connect(app.port)
  probe.write('GET /http HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.equal((await probe.response()).status, 200, 'server still serving')
  probe.destroy()
  await expectBaseline(t, base, 'after the load', app.emitters, 10_000)
  const survived = r.echoed === held && r.closedClean === held && r.failureCount === 0
  recordCounts({ section: 'load and faults', name: `${held} concurrent WebSockets`, path: path.name, tried: held, survived: r.closedClean, lost: held - r.closedClean, command })
  recordCounts({ section: 'load and faults', name: 'abrupt disconnect mid-handshake', path: path.name, tried: cuts, survived: survived ? r.cutMidHandshake : 0, lost: survived ? 0 : cuts, command })
  recordCounts({ section: 'load and faults', name: 'abrupt disconnect mid-message', path: path.name, tried: cuts, survived: survived ? r.cutMidMessage : 0, lost: survived ? 0 : cuts, command })
})
