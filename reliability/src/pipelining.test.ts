/**
 * Section 6: upgrade requests pipelined behind keep-alive requests. node:http emits `'upgrade'` as soon as it has
 * parsed the upgrade request, while the response to a request ahead of it may still own the socket; the router
 * must answer each request in order on the one connection, and nothing may reach the process as an exception.
 * Run: `npx tap --disable-coverage reliability/src/pipelining.test.ts` (`RELIABILITY_PATHS=legacy` for one path).
 */
import t from 'tap'
import { Op } from './lib/frames.js'
import { buildFrame } from '@hertz-node/test-kit/frames'
import { describeMatrix, startFor } from './lib/matrix.js'
import { RawPool, type RawResponse } from './lib/raw-client.js'
import { acceptKey, handshakeHeaders, newKey, rawRequest } from '@hertz-node/test-kit/handshake'
import { CrashWatch, expectBaseline, snapshot } from './lib/resources.js'
import { recordOutcome } from './lib/report.js'
import { closeHandshake, serverCameThrough } from './lib/case-checks.js'

interface Case {
  name: string
  /** The plain requests sent ahead of the upgrade, in the same write. */
  ahead: string[]
  /** Path of the upgrade request (`WS` stands for the app's WebSocket path). */
  upgrade: string
  /** The statuses and bodies of the answers ahead, in order. */
  answers: Array<[number, string]>
  /** What the upgrade gets: 101 (then an echo), another status, or nothing because the connection closed first. */
  upgraded: number | 'closed'
}

const keepAlive = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`

const CASES: Case[] = [
  { name: 'upgrade behind a keep-alive request', ahead: [keepAlive('/http')], upgrade: 'WS', answers: [[200, 'ok']], upgraded: 101 },
  {
    name: 'upgrade behind a request answered late',
    ahead: [keepAlive('/http/slow?ms=150')],
    upgrade: 'WS',
    answers: [[200, 'slow done']],
    upgraded: 101
  },
  {
    name: 'upgrade behind two requests, the first answered last',
    ahead: [keepAlive('/http/slow?ms=150'), keepAlive('/http')],
    upgrade: 'WS',
    answers: [[200, 'slow done'], [200, 'ok']],
    upgraded: 101
  },
  { name: 'upgrade to an unknown path behind a keep-alive request', ahead: [keepAlive('/http')], upgrade: '/nope', answers: [[200, 'ok']], upgraded: 404 },
  { name: 'upgrade behind a request that failed', ahead: [keepAlive('/http/throw')], upgrade: 'WS', answers: [[500, '']], upgraded: 101 },
  {
    name: 'upgrade behind a request that closes the connection',
    ahead: ['GET /http HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    upgrade: 'WS',
    answers: [[200, 'ok']],
    upgraded: 'closed'
  }
]

describeMatrix(t, 'pipelined upgrade', async (t, path) => {
  const app = await startFor(t, path)
  const pool = new RawPool()
  t.teardown(() => pool.destroyAll())
  const base = snapshot(app.emitters)

  for (const c of CASES) {
    await t.test(c.name, async t => {
      const watch = new CrashWatch().start()
      const key = newKey()
      const target = c.upgrade === 'WS' ? app.wsPath : c.upgrade
      const conn = await pool.connect(app.port)
      // One write: the requests ahead, the upgrade, and a first frame right behind the handshake.
      conn.write(c.ahead.join('') + rawRequest(`GET ${target} HTTP/1.1`, handshakeHeaders(app.host, {}, key)))
      conn.write(buildFrame({ opcode: Op.Text, payload: Buffer.from('first') }))
      let ok = true
      for (const [status, body] of c.answers) {
        const res = await conn.response(5000).catch((err: Error) => { ok = t.fail(`no answer: ${err.message}`); return null })
        if (res === null) break
        ok = t.equal(res.status, status, `answer ahead: ${status}`) && ok
        if (body !== '') ok = t.equal(res.body.toString(), body, `answer ahead: ${body}`) && ok
      }
      if (c.upgraded === 'closed') {
        ok = t.ok(await conn.waitClosed(3000), 'the connection closes after the answer that said so') && ok
      } else {
        let res: RawResponse | null = null
        try {
          res = await conn.response(5000)
        } catch (err) {
          ok = t.fail(`no answer to the upgrade: ${(err as Error).message}`)
        }
        ok = t.equal(res?.status, c.upgraded, `the upgrade is answered ${c.upgraded} after the answers ahead`) && ok
        if (res?.status === 101) {
          ok = t.same(res.headers['sec-websocket-accept'], [acceptKey(key)], 'Sec-WebSocket-Accept') && ok
          const f = await conn.frame(3000).catch(() => null)
          ok = t.same([f?.opcode, f?.payload.toString()], [Op.Text, 'first'], 'the frame sent behind the handshake is echoed') && ok
          ok = await closeHandshake(t, conn) && ok
        }
        ok = t.ok(await conn.waitClosed(3000), 'server closed the socket') && ok
      }
      conn.destroy()
      ok = await serverCameThrough(t, pool, app, watch, base) && ok
      recordOutcome('pipelining', c.name, path.name, ok, 'npx tap --disable-coverage reliability/src/pipelining.test.ts')
    })
  }
  await expectBaseline(t, base, 'after the pipelined upgrades', app.emitters)
})
