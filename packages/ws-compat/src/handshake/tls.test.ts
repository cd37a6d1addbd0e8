import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { server } from '@hertz-node/router'
import { handler } from '@hertz-node/adaptor'
import { TextMessage } from '../constants.js'
import { Dialer } from './dialer.js'
import { HertzUpgrader } from '../legacy/hertz-upgrader.js'
import { Upgrader } from './upgrader.js'

// The router's withTLS (Hertz's WithTLS): HTTPS, and wss:// on both WebSocket paths (HertzUpgrader in the router,
// Upgrader through adaptor.handler), dialed with this package's own Dialer and a certificate made for the test.

function makeCert (): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'hertz-tls-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
      '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1'],
    { stdio: 'ignore' })
    return { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function httpsGet (port: number, path: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

t.test('withTLS: HTTPS and wss:// through HertzUpgrader and through adaptor.handler + Upgrader', async (t) => {
  const { key, cert } = makeCert()
  const h = server.Default(server.withHostPorts('127.0.0.1:0'), server.withTLS({ key, cert }))
  h.noHijackConnPool = true
  h.GET('/', (_ctx, c) => c.string(200, 'secure %s', c.req.socket.constructor.name))
  const legacy = new HertzUpgrader()
  h.GET('/legacy', async (_ctx, c) => {
    await legacy.upgrade(c, async (conn) => {
      const [mt, msg] = await conn.readMessage()
      await conn.writeMessage(mt, Buffer.concat([Buffer.from('legacy:'), msg]))
    })
  })
  const upgrader = new Upgrader()
  h.GET('/adaptor', handler(async (req, res) => {
    const conn = await upgrader.upgrade(req, res)
    const [mt, msg] = await conn.readMessage()
    await conn.writeMessage(mt, Buffer.concat([Buffer.from('adaptor:'), msg]))
    await conn.close()
  }))
  await h.run()
  t.teardown(() => h.close())
  const port = h.address().port
  t.same(await httpsGet(port, '/', cert), { status: 200, body: 'secure TLSSocket' })
  const dialer = new Dialer({ tlsClientConfig: { ca: cert, servername: 'localhost' } })
  for (const path of ['legacy', 'adaptor']) {
    const [conn, res] = await dialer.dial(`wss://127.0.0.1:${port}/${path}`, null)
    t.equal(res.statusCode, 101, path)
    await conn.writeMessage(TextMessage, 'hi')
    t.same(await conn.readMessage(), [TextMessage, Buffer.from(`${path}:hi`)], `${path} over wss://`)
    await conn.close()
  }
  const untrusted = new Dialer({ tlsClientConfig: { servername: 'localhost' } })
  await t.rejects(untrusted.dial(`wss://127.0.0.1:${port}/legacy`, null), 'a client that does not trust the certificate fails')
})
