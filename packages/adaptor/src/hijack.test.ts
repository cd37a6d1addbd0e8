import t from 'tap'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { once } from 'node:events'
import { WebSocket, WebSocketServer } from 'ws'
import { ServerResponse as NodeServerResponse } from 'node:http'
import { AdaptorError, hijack, hijacked, isHijackable, registerHijackable, upgradeResponse } from './index.js'

/** The part of a tap test the helpers need. */
interface Teardown { teardown(fn: () => unknown): void }

type UpgradeHandler = (req: IncomingMessage, res: ServerResponse, socket: Duplex, head: Buffer) => void

const UPGRADE = 'GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n'

/** A bare node:http server whose 'upgrade' events go through upgradeResponse(). */
async function serve (t: Teardown, onUpgrade: UpgradeHandler, onRequest?: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server: Server = createServer(onRequest ?? ((_req, res) => res.end('plain')))
  const sockets = new Set<Duplex>()
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket)
    onUpgrade(req, upgradeResponse(req, socket, head), socket, head)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return (server.address() as AddressInfo).port
}

/** A raw TCP client that records everything it receives. */
async function raw (t: Teardown, port: number, payload: string): Promise<{ socket: Socket, text: () => string, until: (s: string) => Promise<string>, ended: Promise<void> }> {
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  await once(socket, 'connect')
  let buf = ''
  const waiters: Array<{ s: string, resolve: (v: string) => void }> = []
  socket.setEncoding('latin1')
  socket.on('data', (d: string) => {
    buf += d
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!
      if (buf.includes(w.s)) { waiters.splice(i, 1); w.resolve(buf) }
    }
  })
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.write(payload)
  return {
    socket,
    text: () => buf,
    until: (s) => buf.includes(s) ? Promise.resolve(buf) : new Promise((resolve) => waiters.push({ s, resolve })),
    ended
  }
}

t.test('hijack hands over the socket once; a second hijack throws "conn hijacked"', async (t) => {
  let second: unknown
  let states: boolean[] = []
  const port = await serve(t, (_req, res) => {
    states = [isHijackable(res), hijacked(res)]
    const { socket } = hijack(res)
    states.push(isHijackable(res), hijacked(res))
    try { hijack(res) } catch (err) { second = err }
    socket.end('raw bytes')
  })
  const c = await raw(t, port, UPGRADE)
  await c.ended
  t.equal(c.text(), 'raw bytes', 'only what the hijacker wrote reaches the client')
  t.same(states, [true, false, false, true])
  t.ok(second instanceof AdaptorError)
  t.equal((second as AdaptorError).code, 'ADAPTOR_ERR_HIJACKED')
  t.equal((second as AdaptorError).message, 'conn hijacked')
})

t.test('every write to res after hijack throws ADAPTOR_ERR_HIJACKED', async (t) => {
  const codes: Record<string, string> = {}
  const port = await serve(t, (_req, res) => {
    const { socket } = hijack(res)
    const attempts: Record<string, () => unknown> = {
      write: () => res.write('x'),
      writeHead: () => res.writeHead(200),
      end: () => res.end(),
      setHeader: () => res.setHeader('x', 'y'),
      appendHeader: () => res.appendHeader('x', 'y'),
      flushHeaders: () => res.flushHeaders()
    }
    for (const [name, fn] of Object.entries(attempts)) {
      try { fn(); codes[name] = 'no error' } catch (err) { codes[name] = (err as AdaptorError).code }
    }
    socket.end('done')
  })
  const c = await raw(t, port, UPGRADE)
  await c.ended
  t.equal(c.text(), 'done')
  t.same(codes, {
    write: 'ADAPTOR_ERR_HIJACKED',
    writeHead: 'ADAPTOR_ERR_HIJACKED',
    end: 'ADAPTOR_ERR_HIJACKED',
    setHeader: 'ADAPTOR_ERR_HIJACKED',
    appendHeader: 'ADAPTOR_ERR_HIJACKED',
    flushHeaders: 'ADAPTOR_ERR_HIJACKED'
  })
})

t.test('writeHead(101) then hijack: the head is flushed before the hijacker writes', async (t) => {
  const port = await serve(t, (_req, res) => {
    res.writeHead(101, { Upgrade: 'test', Connection: 'Upgrade' })
    const { socket } = hijack(res)
    socket.end('after')
  })
  const c = await raw(t, port, UPGRADE)
  await c.ended
  const text = c.text()
  t.match(text, /^HTTP\/1\.1 101 Switching Protocols\r\n/)
  t.match(text, /\r\nUpgrade: test\r\n/)
  t.match(text, /\r\nConnection: Upgrade\r\n/)
  t.ok(text.endsWith('\r\n\r\nafter'), 'head, blank line, then the hijacker bytes')
  t.equal(text.split('HTTP/1.1').length, 2, 'one status line')
})

t.test('writeHead + flushHeaders then hijack sends the head exactly once', async (t) => {
  const port = await serve(t, (_req, res) => {
    res.writeHead(101, { Upgrade: 'test', Connection: 'Upgrade' })
    res.flushHeaders()
    const { socket } = hijack(res)
    socket.end('after')
  })
  const c = await raw(t, port, UPGRADE)
  await c.ended
  t.equal(c.text().split('HTTP/1.1 101').length, 2)
  t.ok(c.text().endsWith('\r\n\r\nafter'))
})

t.test('head bytes read past the request headers are handed over, later bytes follow on the socket', async (t) => {
  let head = ''
  let rest = ''
  const done = new Promise<void>((resolve) => {
    void serve(t, (_req, res) => {
      const h = hijack(res)
      head = h.head.toString('latin1')
      h.socket.on('data', (d: Buffer) => {
        rest += d.toString('latin1')
        if (rest === 'LATER') { h.socket.end('ok'); resolve() }
      })
    }).then(async (port) => {
      const c = await raw(t, port, UPGRADE + 'EARLY')
      await new Promise((r) => setTimeout(r, 20))
      c.socket.write('LATER')
    })
  })
  await done
  t.equal(head, 'EARLY')
  t.equal(rest, 'LATER')
})

t.test('a response written through res without hijack reaches the client and the socket closes', async (t) => {
  const port = await serve(t, (_req, res) => {
    res.statusCode = 426
    res.setHeader('Upgrade', 'websocket')
    res.end('Upgrade Required')
  })
  const c = await raw(t, port, UPGRADE)
  await c.ended
  t.match(c.text(), /^HTTP\/1\.1 426 Upgrade Required\r\n/)
  t.match(c.text(), /\r\nConnection: close\r\n/)
  t.match(c.text(), /\r\nUpgrade: websocket\r\n/)
  t.ok(c.text().endsWith('\r\n\r\nUpgrade Required'))
})

t.test('a plain HTTP response is not hijackable', async (t) => {
  let err: unknown
  let can: boolean | undefined
  const port = await serve(t, () => {}, (_req, res) => {
    can = isHijackable(res)
    try { hijack(res) } catch (e) { err = e }
    res.end('still works')
  })
  const body = await (await fetch(`http://127.0.0.1:${port}/`)).text()
  t.equal(body, 'still works')
  t.equal(can, false)
  t.ok(err instanceof AdaptorError)
  t.equal((err as AdaptorError).code, 'ADAPTOR_ERR_NOT_HIJACKABLE')
})

t.test('a client reset before hijack does not crash the process', async (t) => {
  const closed = new Promise<void>((resolve) => {
    void serve(t, (_req, res, socket) => {
      socket.once('close', () => {
        t.equal(isHijackable(res), true, 'still registered, nobody took it')
        resolve()
      })
    }).then(async (port) => {
      const c = await raw(t, port, UPGRADE)
      await new Promise((r) => setTimeout(r, 20))
      c.socket.resetAndDestroy()
    })
  })
  await closed
})

t.test('ws handleUpgrade completes a handshake on a hijacked socket', async (t) => {
  const wss = new WebSocketServer({ noServer: true })
  t.teardown(() => { wss.close() })
  const port = await serve(t, (req, res) => {
    const { socket, head } = hijack(res)
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
    })
  })
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`)
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  ws.send('echo me')
  const [data] = await once(ws, 'message')
  t.equal(String(data), 'echo me')
})

t.test('a registered response not bound to the socket still gets its buffered head flushed on hijack', async (t) => {
  let notified = 0
  const server = createServer()
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const res = new NodeServerResponse(req)
    registerHijackable(res, socket, head, () => { notified++ })
    res.writeHead(101, { Upgrade: 'test', Connection: 'Upgrade' })
    res.flushHeaders()
    const h = hijack(res)
    h.socket.end('after')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const c = await raw(t, (server.address() as AddressInfo).port, UPGRADE)
  await c.ended
  t.match(c.text(), /^HTTP\/1\.1 101 Switching Protocols\r\n/)
  t.ok(c.text().endsWith('\r\n\r\nafter'))
  t.equal(notified, 1, 'the hijack listener ran once')
})
