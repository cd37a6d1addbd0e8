/**
 * Section 1: the handshake matrix. Every case goes over raw TCP to both paths and checks the exact status
 * of that path's upgrader (the legacy HertzUpgrader follows hertz-contrib's checks and order, the
 * recommended Upgrader gorilla's current ones - they differ on purpose), that the socket is closed on both
 * ends, and that the server still serves afterwards.
 * Run: `npx tap --disable-coverage reliability/src/handshake.test.ts` (`RELIABILITY_PATHS=legacy` for one path).
 */
import t from 'tap'
import { Op } from './lib/frames.js'
import { buildFrame } from '@hertz-node/test-kit/frames'
import { describeMatrix, startFor } from './lib/matrix.js'
import type { PathName } from './lib/app-types.js'
import { RawPool, type RawResponse } from './lib/raw-client.js'
import { acceptKey, handshakeHeaders, newKey, rawRequest } from '@hertz-node/test-kit/handshake'
import { CrashWatch, expectBaseline, snapshot } from './lib/resources.js'
import { recordOutcome } from './lib/report.js'
import { closeHandshake, serverCameThrough } from './lib/case-checks.js'
import { idleTimeoutOption } from './lib/router-apps.js'

/** What a case sends. */
interface Target { host: string, path: string, port: number, key: string }

/** What a path must answer: a status (with header checks), or nothing at all (the client hung up first). */
interface Expect {
  status: number | 'none'
  /** Lower-cased header -> exact value, or null for "absent". */
  headers?: Record<string, string | null>
  /** For a 101: the first frame the server must echo (sent in the same write as the request). */
  echo?: string
}

interface Case {
  name: string
  request: (x: Target) => string | Buffer
  legacy: Expect
  recommended: Expect
}

/**
 * gorilla keeps `Sec-WebSocket-Version: 13` on its refusals; hertz-contrib sets it too, but its
 * `AbortWithMsg` resets the response headers first, so Hertz never sends it - the legacy path neither.
 */
const versionRefused = { legacy: { status: 400 }, recommended: { status: 400, headers: { 'sec-websocket-version': '13' } } }
const both = (e: Expect): { legacy: Expect, recommended: Expect } => ({ legacy: e, recommended: e })
const get = (x: Target, override: Record<string, string | null> = {}, extra: string[] = []): string =>
  rawRequest(`GET ${x.path} HTTP/1.1`, [...handshakeHeaders(x.host, override, x.key), ...extra])
const origin = (o: string) => (x: Target) => get(x, { Origin: o.replace('PORT', String(x.port)) })
const upgraded: Expect = { status: 101 }

const CASES: Case[] = [
  { name: 'valid handshake', request: x => get(x), ...both({ status: 101, headers: { upgrade: 'websocket', 'sec-websocket-protocol': null } }) },
  {
    name: 'bytes pipelined right after the handshake (first frame kept)',
    request: x => Buffer.concat([Buffer.from(get(x)), buildFrame({ opcode: Op.Text, payload: Buffer.from('first frame') })]),
    ...both({ status: 101, echo: 'first frame' })
  },
  // Method: the legacy upgrader checks it first, the recommended one after Connection and Upgrade.
  { name: 'wrong method (POST)', request: x => get(x).replace(/^GET/, 'POST'), ...both({ status: 405 }) },
  {
    name: 'wrong method and no Connection header',
    request: x => rawRequest(`PUT ${x.path} HTTP/1.1`, handshakeHeaders(x.host, { Connection: null }, x.key)),
    legacy: { status: 405 },
    recommended: { status: 400 }
  },
  // Connection
  { name: 'missing Connection', request: x => get(x, { Connection: null }), ...both({ status: 400 }) },
  { name: 'Connection: keep-alive', request: x => get(x, { Connection: 'keep-alive' }), ...both({ status: 400 }) },
  { name: 'garbled Connection token (upgraded)', request: x => get(x, { Connection: 'upgraded' }), ...both({ status: 400 }) },
  { name: 'duplicate Connection headers', request: x => get(x, { Connection: 'keep-alive' }, ['Connection: Upgrade']), ...both(upgraded) },
  // Upgrade: the recommended upgrader answers 426 and names the protocol it wants.
  {
    name: 'missing Upgrade',
    request: x => get(x, { Upgrade: null }),
    legacy: { status: 400 },
    recommended: { status: 426, headers: { upgrade: 'websocket' } }
  },
  {
    name: 'Upgrade: h2c',
    request: x => get(x, { Upgrade: 'h2c' }),
    legacy: { status: 400 },
    recommended: { status: 426, headers: { upgrade: 'websocket' } }
  },
  {
    name: 'garbled Upgrade (web socket)',
    request: x => get(x, { Upgrade: 'web socket' }),
    legacy: { status: 400 },
    recommended: { status: 426, headers: { upgrade: 'websocket' } }
  },
  { name: 'duplicate Upgrade headers', request: x => get(x, { Upgrade: 'h2c' }, ['Upgrade: websocket']), ...both(upgraded) },
  // Version
  ...['0', '8', '12', '14', 'abc'].map(v => ({ name: `version ${v}`, request: (x: Target) => get(x, { 'Sec-WebSocket-Version': v }), ...versionRefused })),
  { name: 'missing version', request: x => get(x, { 'Sec-WebSocket-Version': null }), ...versionRefused },
  { name: 'version list containing 13 (8, 13)', request: x => get(x, { 'Sec-WebSocket-Version': '8, 13' }), ...both(upgraded) },
  // Key: hertz-contrib only refuses an empty key; gorilla wants base64 of exactly 16 bytes.
  { name: 'missing key', request: x => get(x, { 'Sec-WebSocket-Key': null }), ...both({ status: 400 }) },
  { name: 'blank key', request: x => get(x, { 'Sec-WebSocket-Key': '' }), ...both({ status: 400 }) },
  {
    name: 'short key (base64 of 8 bytes)',
    request: x => get(x, { 'Sec-WebSocket-Key': Buffer.alloc(8, 7).toString('base64') }),
    legacy: upgraded,
    recommended: { status: 400 }
  },
  {
    name: 'long key (base64 of 32 bytes)',
    request: x => get(x, { 'Sec-WebSocket-Key': Buffer.alloc(32, 7).toString('base64') }),
    legacy: upgraded,
    recommended: { status: 400 }
  },
  {
    name: 'non-base64 key of the right length',
    request: x => get(x, { 'Sec-WebSocket-Key': '!!!!!!!!!!!!!!!!!!!!!!==' }),
    legacy: upgraded,
    recommended: { status: 400 }
  },
  // Origin (default same-origin check: the Origin's host:port against Host, case-insensitive, scheme ignored)
  { name: 'same origin', request: origin('http://127.0.0.1:PORT'), ...both(upgraded) },
  { name: 'origin with another scheme (host compared only)', request: origin('https://127.0.0.1:PORT'), ...both(upgraded) },
  { name: 'origin with another port', request: x => get(x, { Origin: `http://127.0.0.1:${x.port + 1}` }), ...both({ status: 403 }) },
  {
    name: 'origin host in another case',
    request: x => get(x, { Host: `LOCALHOST:${x.port}`, Origin: `http://localhost:${x.port}` }),
    ...both(upgraded)
  },
  { name: 'cross-site origin', request: origin('https://evil.example'), ...both({ status: 403 }) },
  { name: 'origin null', request: origin('null'), ...both({ status: 403 }) },
  { name: 'unparsable origin', request: origin('http://[::1'), ...both({ status: 403 }) },
  { name: 'origin with userinfo pointing elsewhere', request: origin('http://127.0.0.1:PORT@evil.example'), ...both({ status: 403 }) },
  { name: 'origin with the host as a subdomain prefix', request: origin('http://127.0.0.1:PORT.evil.example'), ...both({ status: 403 }) },
  // Subprotocols (the server supports chat and superchat)
  {
    name: 'subprotocol list with junk entries',
    request: x => get(x, { 'Sec-WebSocket-Protocol': ' ,,;; @@ , ,chat, x y' }),
    ...both({ status: 101, headers: { 'sec-websocket-protocol': 'chat' } })
  },
  {
    name: 'subprotocol list with no supported entry',
    request: x => get(x, { 'Sec-WebSocket-Protocol': 'v1.json, soap' }),
    ...both({ status: 101, headers: { 'sec-websocket-protocol': null } })
  },
  { name: 'subprotocol with a bare CR', request: x => get(x, { 'Sec-WebSocket-Protocol': 'chat\rX-Injected: 1' }), ...both({ status: 400 }) },
  { name: 'subprotocol folded over CRLF', request: x => get(x, { 'Sec-WebSocket-Protocol': 'junk,\r\n chat' }), ...both({ status: 400 }) },
  { name: 'subprotocol with a control character', request: x => get(x, { 'Sec-WebSocket-Protocol': 'ch\x01at' }), ...both({ status: 400 }) },
  {
    name: 'compression offered while disabled',
    request: x => get(x, { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits, ;;x=' }),
    ...both({ status: 101, headers: { 'sec-websocket-extensions': null } })
  },
  // Framing of the request itself (answered by the HTTP layer, the same on both paths)
  { name: 'huge headers (over the 1 MiB header limit)', request: x => get(x, {}, [`X-Big: ${'a'.repeat(1100 * 1024)}`]), ...both({ status: 431 }) },
  { name: 'missing Host', request: x => get(x, { Host: null }), ...both({ status: 400 }) },
  { name: 'bare LF line endings', request: x => get(x).replaceAll('\r\n', '\n'), ...both({ status: 400 }) },
  { name: 'partial request, then disconnect', request: x => get(x).slice(0, 40), ...both({ status: 'none' }) },
  // Routing of upgrade requests
  { name: 'upgrade request to an unknown path', request: x => get({ ...x, path: '/nope' }), ...both({ status: 404 }) },
  { name: 'upgrade request to a plain HTTP route', request: x => get({ ...x, path: '/http' }), ...both({ status: 200 }) }
]

t.comment(`${CASES.length} handshake cases per path`)

describeMatrix(t, 'handshake matrix', async (t, path) => {
  const app = await startFor(t, path, { upgrader: { subprotocols: ['chat', 'superchat'] }, serverOptions: [idleTimeoutOption(300)] })
  const pool = new RawPool()
  t.teardown(() => pool.destroyAll())
  const base = snapshot(app.emitters)

  for (const c of CASES) {
    const want = c[path.name as Exclude<PathName, 'bare-ws'>]
    await t.test(c.name, async t => {
      const watch = new CrashWatch().start()
      const key = newKey()
      const conn = await pool.connect(app.port)
      conn.write(c.request({ host: app.host, path: app.wsPath, port: app.port, key }))
      let ok = true
      if (want.status === 'none') {
        conn.destroy()
      } else {
        let res: RawResponse
        try {
          res = await conn.response(5000)
        } catch (err) {
          ok = t.fail(`no response: ${(err as Error).message}`)
          res = { status: 0, statusText: '', version: '', headers: {}, head: '', body: Buffer.alloc(0) }
        }
        ok = t.equal(res.status, want.status, `status ${want.status}`) && ok
        for (const [name, value] of Object.entries(want.headers ?? {})) {
          ok = t.same(res.headers[name]?.join(', ') ?? null, value, `${name}: ${String(value)}`) && ok
        }
        if (res.status === 101) {
          const raw = c.request({ host: app.host, path: app.wsPath, port: app.port, key }).toString()
          const sentKey = /Sec-WebSocket-Key: ([^\r\n]*)/i.exec(raw)?.[1] ?? ''
          ok = t.same(res.headers['sec-websocket-accept'], [acceptKey(sentKey)], 'Sec-WebSocket-Accept') && ok
          if (want.echo !== undefined) {
            const f = await conn.frame(3000).catch(() => null)
            ok = t.same([f?.opcode, f?.payload.toString()], [Op.Text, want.echo], 'pipelined frame echoed') && ok
          }
          ok = await closeHandshake(t, conn) && ok
        }
        ok = t.ok(await conn.waitClosed(3000), 'server closed the socket') && ok
      }
      conn.destroy()
      ok = await serverCameThrough(t, pool, app, watch, base) && ok
      recordOutcome('handshake', `${c.name}`, path.name, ok, 'npx tap --disable-coverage reliability/src/handshake.test.ts')
    })
  }
  await expectBaseline(t, base, 'after the handshake matrix', app.emitters)
})
