/**
 * Section 5: security. On both paths: the default same-origin check blocks cross-site WebSocket hijacking
 * (raw handshakes and a real Chromium page on another origin), percent-encoded and dot-segment paths
 * cannot skip a group's middleware (HTTP and upgrade requests alike), static files cannot leave their
 * root, CRLF in header values given to `c.header()` / `responseHeader` is rejected, and the documented
 * limits hold at their defaults.
 * Run: `npx tap --disable-coverage reliability/src/security.test.ts` (needs /usr/bin/chromium).
 */
import http from 'node:http'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { Test } from 'tap'
import { chromium, type BrowserContext } from 'playwright-core'
import { server, type Context, type RequestContext } from '@hertz-node/router'
import {
  Upgrader,
  defaultMaxBufferedChunks,
  defaultMaxFragments,
  defaultMaxQueuedBytes,
  defaultMaxWriteQueueBytes,
  defaultReadBufferSize,
  defaultReadLimit,
  defaultWriteBufferSize,
  maxControlFramePayloadSize,
  writeWait
} from '@hertz-node/ws-compat'
import type { ServerUnderTest } from './lib/app-types.js'
import { describeMatrix, startFor } from './lib/matrix.js'
import { RawPool, type RawResponse } from './lib/raw-client.js'
import { handshakeHeaders, rawRequest } from '@hertz-node/test-kit/handshake'
import { recordOutcome } from './lib/report.js'
import { CrashWatch } from './lib/resources.js'

const command = 'npx tap --disable-coverage reliability/src/security.test.ts'
const SECTION = 'security'

// A static root with a secret next to it, a sibling directory sharing its name prefix, and a symlink out.
const dir = mkdtempSync(join(tmpdir(), 'hertz-node-static-'))
mkdirSync(join(dir, 'public'))
mkdirSync(join(dir, 'public-evil'))
writeFileSync(join(dir, 'public', 'index.txt'), 'public file')
writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET')
writeFileSync(join(dir, 'public-evil', 'x.txt'), 'EVIL SIBLING')
symlinkSync(join(dir, 'secret.txt'), join(dir, 'public', 'link'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const auth = async (ctx: Context, c: RequestContext): Promise<void> => {
  if (c.getHeader('Authorization') !== 'Bearer ok') {
    c.abortWithMsg('unauthorized', 401)
    return
  }
  await c.next(ctx)
}

/** Starts the path's app with the routes the security cases need. */
function startSecure (t: Test, path: Parameters<typeof startFor>[1]): Promise<ServerUnderTest> {
  return startFor(t, path, {
    setup: (h, wsRoute) => {
      const admin = h.group('/admin', auth)
      admin.GET('/panel', (_ctx: Context, c: RequestContext) => { c.string(200, 'admin panel') })
      admin.any('/ws', wsRoute())
      h.static('/static', join(dir, 'public'))
      h.GET('/page', (_ctx: Context, c: RequestContext) => { c.html(200, PAGE) })
      h.GET('/crlf/header', (_ctx: Context, c: RequestContext) => {
        try {
          c.header(c.query('k') === '' ? 'X-Echo' : c.query('k'), c.query('v'))
        } catch (err) {
          c.string(200, `rejected ${(err as { code?: string }).code ?? (err as Error).name}`)
          return
        }
        c.string(200, 'accepted')
      })
      h.any('/crlf/ws', wsRoute({ responseHeader: { 'X-Test': 'a\r\nSet-Cookie: evil=1' } }))
      h.any('/crlf/ws-lf', wsRoute({ responseHeader: { 'X-Test': 'a\nSet-Cookie: evil=1' } }))
      h.any('/crlf/ws-name', wsRoute({ responseHeader: { 'X-Test\r\nSet-Cookie': 'evil=1' } }))
      h.POST('/body', async (_ctx: Context, c: RequestContext) => { c.string(200, String((await c.body()).length)) })
    }
  })
}

/** A page that opens a WebSocket to `url` and reports the echo or the close code. */
const PAGE = '<!doctype html><title>ws</title>'
/** Runs in the page (as source text: the browser's WebSocket, not Node's). */
const openWs = (url: string): string => `new Promise(resolve => {
  const ws = new WebSocket(${JSON.stringify(url)})
  ws.onopen = () => ws.send('hi')
  ws.onmessage = e => { resolve('echo:' + e.data); ws.close() }
  ws.onclose = e => resolve('closed:' + e.code)
})`

async function send (pool: RawPool, app: ServerUnderTest, bytes: string): Promise<RawResponse | null> {
  const c = await pool.connect(app.port)
  c.write(bytes)
  const res = await c.response(5000).catch(() => null)
  c.destroy()
  return res
}

const get = (path: string, headers: string[] = []): string => rawRequest(`GET ${path} HTTP/1.1`, ['Host: 127.0.0.1', 'Connection: close', ...headers])

let browser: BrowserContext | undefined
async function browserContext (): Promise<BrowserContext> {
  if (browser !== undefined) return browser
  const home = mkdtempSync(join(tmpdir(), 'hertz-node-chromium-'))
  browser = await chromium.launchPersistentContext(home, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, HOME: home },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  t.teardown(async () => { await browser?.close(); rmSync(home, { recursive: true, force: true }) })
  return browser
}

describeMatrix(t, 'cross-site WebSocket hijacking is blocked by the default origin check', async (t, path) => {
  const app = await startSecure(t, path)
  const pool = new RawPool()
  t.teardown(() => pool.destroyAll())
  const watch = new CrashWatch().start()
  // Raw: a browser on evil.example carrying the victim's cookie and credentials.
  const cross = await send(pool, app, rawRequest('GET /admin/ws HTTP/1.1', [
    ...handshakeHeaders(app.host, { Origin: 'https://evil.example' }), 'Cookie: session=victim', 'Authorization: Bearer ok'
  ]))
  let ok = t.equal(cross?.status, 403, 'cross-site upgrade refused with 403')
  const same = await send(pool, app, rawRequest('GET /admin/ws HTTP/1.1', [
    ...handshakeHeaders(app.host, { Origin: `http://${app.host}` }), 'Authorization: Bearer ok'
  ]))
  ok = t.equal(same?.status, 101, 'same-origin upgrade accepted') && ok

  // Real browser: a page on another origin (another port) tries to open the socket.
  const evil = http.createServer((_req, res) => res.end(PAGE))
  await new Promise<void>(resolve => evil.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { evil.closeAllConnections(); evil.close(() => resolve()) }))
  const ctx = await browserContext()
  const page = await ctx.newPage()
  t.teardown(() => page.close())
  await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`)
  const refusedBefore = app.upgradeErrors.length
  const fromEvil = await page.evaluate(openWs(`ws://${app.host}${app.wsPath}`))
  ok = t.equal(fromEvil, 'closed:1006', 'the cross-origin page cannot open the WebSocket') && ok
  ok = t.equal(app.upgradeErrors.length, refusedBefore + 1, 'the server refused that handshake') && ok
  await page.goto(`http://${app.host}/page`)
  const fromSame = await page.evaluate(openWs(`ws://${app.host}${app.wsPath}`))
  ok = t.equal(fromSame, 'echo:hi', 'the same-origin page can') && ok
  ok = t.same(watch.stop(), [], 'no uncaught error') && ok
  recordOutcome(SECTION, 'cross-site WebSocket hijacking blocked', path.name, ok, command)
})

/** Paths that decode to /admin/panel: the group's middleware must run (401 without credentials). */
const SAME_ROUTE = ['/admin/panel', '/%61dmin/panel', '/%61%64%6D%69%6E/panel', '/admin/%70anel', '/%61dmin/%70anel']
/** Other spellings: whatever they answer, never the panel without credentials. */
const TRICKS = [
  '/admin%2fpanel', '/admin%2Fpanel', '//admin/panel', '/./admin/panel', '/x/../admin/panel', '/ADMIN/panel',
  '/admin/panel/', '/admin;/panel', '/%2e/admin/panel', '/%2561dmin/panel', '/admin/panel%00', '/admin/./panel',
  '/admin//panel', '/%2fadmin/panel', '/admin%00/panel', '/admin\\panel', '/admin/panel%20', '/%41dmin/panel',
  '/admin/panel?x=/../', '/admin/%2e/panel', '/adm%69n/../admin/panel'
]

describeMatrix(t, 'encoded paths cannot bypass group middleware', async (t, path) => {
  const app = await startSecure(t, path)
  const pool = new RawPool()
  t.teardown(() => pool.destroyAll())
  const watch = new CrashWatch().start()
  for (const p of SAME_ROUTE) {
    const res = await send(pool, app, get(p))
    const ok = t.equal(res?.status, 401, `${p}: the group's middleware ran (401)`)
    const ws = await send(pool, app, rawRequest(`GET ${p.replace('panel', 'ws')} HTTP/1.1`, handshakeHeaders(app.host)))
    const wsOk = t.equal(ws?.status, 401, `${p.replace('panel', 'ws')} (upgrade): 401`)
    recordOutcome(SECTION, 'encoded path reaches the group middleware', path.name, ok && wsOk, command)
  }
  const authed = await send(pool, app, get('/%61dmin/panel', ['Authorization: Bearer ok']))
  t.same([authed?.status, authed?.body.toString()], [200, 'admin panel'], 'with credentials the encoded path reaches the route')
  for (const p of TRICKS) {
    const res = await send(pool, app, get(p))
    const ok = t.ok(res === null || (res.status !== 200 && !res.body.toString().includes('admin panel')), `${p}: ${res?.status ?? 'closed'}, not the panel`)
    const ws = await send(pool, app, rawRequest(`GET ${p.replace('panel', 'ws')} HTTP/1.1`, handshakeHeaders(app.host)))
    const wsOk = t.ok(ws === null || ws.status !== 101, `${p.replace('panel', 'ws')} (upgrade): ${ws?.status ?? 'closed'}, not upgraded`)
    recordOutcome(SECTION, 'path trick cannot skip the group middleware', path.name, ok && wsOk, command)
  }
  t.same(watch.stop(), [], 'no uncaught error')
})

const ESCAPES = [
  '/static/../secret.txt', '/static/%2e%2e/secret.txt', '/static/%2E%2E/secret.txt', '/static/.%2e/secret.txt',
  '/static/..%2fsecret.txt', '/static/..%2Fsecret.txt', '/static/%2e%2e%2fsecret.txt', '/static/..%5csecret.txt',
  '/static/%2e%2e%5csecret.txt', '/static/..\\secret.txt', '/static/....//secret.txt', '/static/%252e%252e/secret.txt',
  '/static/%c0%ae%c0%ae/secret.txt', '/static/link', '/static/%2e%2e/public-evil/x.txt', '/static/../public-evil/x.txt',
  '/static//etc/passwd', '/static/%2fetc%2fpasswd', '/static/..%00/secret.txt', '/static/%00../secret.txt',
  '/static/index.txt/../../secret.txt', '/static/./../secret.txt', '/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd'
]

describeMatrix(t, 'static files cannot escape their root', async (t, path) => {
  const app = await startSecure(t, path)
  const pool = new RawPool()
  t.teardown(() => pool.destroyAll())
  const ok = await send(pool, app, get('/static/index.txt'))
  t.same([ok?.status, ok?.body.toString()], [200, 'public file'], 'a file inside the root is served')
  for (const p of ESCAPES) {
    const res = await send(pool, app, get(p))
    const body = res?.body.toString() ?? ''
    const safe = t.ok(res === null || (res.status !== 200 && !/TOP SECRET|EVIL SIBLING|root:/.test(body)), `${p}: ${res?.status ?? 'closed'}`)
    recordOutcome(SECTION, 'static path escape refused', path.name, safe, command)
  }
})

const BAD_VALUES = ['a%0d%0aSet-Cookie:%20evil=1', 'a%0aSet-Cookie:%20evil=1', 'a%0dSet-Cookie:%20evil=1']

describeMatrix(t, 'CRLF in header values is rejected', async (t, path) => {
  const app = await startSecure(t, path)
  const pool = new RawPool()
  t.teardown(() => pool.destroyAll())
  const watch = new CrashWatch().start()
  const noInjection = (res: RawResponse | null): boolean => res === null || (res.headers['set-cookie'] === undefined && !/evil/.test(res.head))
  for (const v of BAD_VALUES) {
    const res = await send(pool, app, get(`/crlf/header?v=${v}`))
    const ok = t.ok(noInjection(res), `c.header value ${v}: no injected header`) &&
      t.ok(res?.status === 500 || /^rejected /.test(res?.body.toString() ?? ''), `c.header value ${v}: rejected (${res?.status} ${res?.body.toString()})`)
    recordOutcome(SECTION, 'CRLF in header() rejected', path.name, ok, command)
  }
  const nameRes = await send(pool, app, get('/crlf/header?k=X-A%0d%0aSet-Cookie&v=evil'))
  const nameOk = t.ok(noInjection(nameRes), 'c.header name with CRLF: no injected header') &&
    t.ok(nameRes?.status === 500 || /^rejected /.test(nameRes?.body.toString() ?? ''), `c.header name with CRLF: rejected (${nameRes?.status} ${nameRes?.body.toString()})`)
  recordOutcome(SECTION, 'CRLF in header() rejected', path.name, nameOk, command)
  for (const route of ['/crlf/ws', '/crlf/ws-lf', '/crlf/ws-name']) {
    const res = await send(pool, app, rawRequest(`GET ${route} HTTP/1.1`, handshakeHeaders(app.host)))
    const ok = t.ok(noInjection(res), `${route}: no injected header`) &&
      t.equal(res?.status, 500, `${route}: the upgrade is refused with 500`)
    recordOutcome(SECTION, 'CRLF in the 101 response headers rejected', path.name, ok, command)
  }
  t.same(watch.stop(), [], 'no uncaught error')
})

const here = dirname(fileURLToPath(import.meta.url))
const MiB = 1024 * 1024

/** Bytes as the limits table writes them: `100 MiB`, `4096 bytes`. */
/** A count as the table writes it: thousands grouped with a space (16 384). */
function count (n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ' ')
}

function bytes (n: number): string {
  return n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`
}

/** Milliseconds as the limits table writes them: `3 min`, `60 s`, `none` for 0 (no timeout). */
function duration (ms: number): string {
  if (ms === 0) return 'none'
  if (ms % 60_000 === 0) return `${ms / 60_000} min`
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

/** The RELIABILITY.md limits table: first cell (lower case) -> the row's cells. */
function limitsTable (): Map<string, string[]> {
  const doc = readFileSync(join(here, '..', '..', 'RELIABILITY.md'), 'utf8')
  const section = doc.slice(doc.indexOf('## Limits'))
  const rows = new Map<string, string[]>()
  for (const line of section.split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue
    const cells = line.split('|').slice(1, -1).map((c) => c.trim())
    rows.set((cells[0] as string).toLowerCase(), cells)
  }
  return rows
}

t.test('the documented limits are the values in the code', async (t) => {
  const rows = limitsTable()
  const defaults = server.New().options
  // The Default cell starts with the value; what follows (a parenthesis, a `;`) only explains it.
  const documented: Array<[string, string]> = [
    ['max payload (read limit)', bytes(defaultReadLimit)],
    ['fragments per message', count(defaultMaxFragments)],
    ['socket chunks per frame', count(defaultMaxBufferedChunks)],
    ['receive queue', bytes(defaultMaxQueuedBytes)],
    ['write queue', bytes(defaultMaxWriteQueueBytes)],
    ['read / write buffer size', bytes(defaultReadBufferSize)],
    ['request body', bytes(defaults.maxRequestBodySize)],
    ['request head (line + headers)', bytes(defaults.maxHeaderBytes)],
    ['read timeout (whole request)', duration(defaults.readTimeout)],
    ['header timeout', duration(defaults.readHeaderTimeout)],
    ['idle timeout (keep-alive)', duration(defaults.idleTimeout)],
    ['tcp keep-alive probes', duration(defaults.keepAliveTimeout)],
    ['exit wait time', duration(defaults.exitWaitTime)],
    ['handshake timeout', duration(new Upgrader().handshakeTimeout)],
    ['write timeout (websocket)', 'none'],
    ['read timeout (websocket)', 'none'],
    ['control replies (pong, close)', duration(writeWait)]
  ]
  t.equal(defaultWriteBufferSize, defaultReadBufferSize, 'one row covers both buffer sizes')
  for (const [name, value] of documented) {
    const cells = rows.get(name)
    t.ok(cells, `RELIABILITY.md documents the ${name} limit`)
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    t.match(cells?.[1] ?? '', new RegExp(`^${escaped}(?:$| \\(|;)`), `${name}: documented as ${value}`)
  }
  t.same([...rows.keys()].filter((name) => !documented.some(([n]) => n === name)), ['limit'],
    'every row of the table is checked (only the header row is left)')
  t.match(rows.get('fragments per message')?.[3] ?? '', `≤ ${maxControlFramePayloadSize} bytes`,
    'the control frame limit is the code\'s')
  // The header and idle timeouts follow the read timeout, as the table says.
  t.equal(defaults.readHeaderTimeout, Math.min(60_000, defaults.readTimeout))
  t.equal(defaults.idleTimeout, defaults.readTimeout)
})

describeMatrix(t, 'the documented body limit holds', async (t, path) => {
  const app = await startSecure(t, path)
  const pool = new RawPool()
  t.teardown(() => pool.destroyAll())
  const post = async (n: number): Promise<number | undefined> => {
    const c = await pool.connect(app.port)
    c.write(`POST /body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${n}\r\n\r\n`)
    c.write(Buffer.alloc(n, 0x62))
    const res = await c.response(10_000).catch(() => null)
    c.destroy()
    return res?.status
  }
  const atLimit = await post(4 * MiB)
  const overLimit = await post(4 * MiB + 1)
  const ok = t.same([atLimit, overLimit], [200, 413], 'request body: 4 MiB accepted, 4 MiB + 1 answered 413 (documented default)')
  recordOutcome(SECTION, 'documented body limit holds', path.name, ok, command)
})
