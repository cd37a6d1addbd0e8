import t from 'tap'
import { createServer, ServerResponse, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { headLength, isWritingOn, movePendingOutput } from './node-internals.js'
import { deferred } from '@hertz-node/test-kit/teardown'
import { listen, raw } from '@hertz-node/test-kit/raw-tcp'

// These tests pin down the node:http internals the adaptor relies on (see node-internals.ts). A failure here means
// the running Node changed one of them: the adaptor's accessors must follow before anything else is trusted.

type Internal = Record<string, unknown>

t.test(`node ${process.version}: res._header is the serialized head, its length the head's bytes on the wire`, async (t) => {
  const seen = deferred<{ before: unknown, after: unknown, length: number }>()
  const server = createServer((_req, res) => {
    const before = (res as unknown as Internal)._header
    res.writeHead(200, { 'X-Shape': 'check', 'Content-Length': 5 })
    seen.resolve({ before, after: (res as unknown as Internal)._header, length: headLength(res) })
    res.end('body!')
  })
  const port = await listen(t, server)
  const c = await raw(t, port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  await c.closed
  const { before, after, length } = await seen.promise
  t.ok(before === null || before === undefined, 'no head before writeHead()')
  t.equal(typeof after, 'string', 'node:http keeps the built head in res._header as a string')
  t.match(after, /^HTTP\/1\.1 200 OK\r\n[^]*X-Shape: check\r\n[^]*\r\n\r\n$/, 'the whole head, status line to blank line')
  const onWire = c.text().indexOf('\r\n\r\n') + 4
  t.equal(length, onWire, 'headLength() is the number of head bytes the client received')
  t.equal(c.text().slice(onWire), 'body!')
})

t.test(`node ${process.version}: socket._httpMessage is the response node:http writes on that socket`, async (t) => {
  const seen = deferred<{ own: unknown, writing: boolean, other: boolean, afterFinish: unknown, writingAfter: boolean }>()
  const server = createServer((req, res) => {
    const socket = req.socket
    const own = (socket as unknown as Internal)._httpMessage === res
    const writing = isWritingOn(socket, res)
    const other = isWritingOn(socket, new ServerResponse(req))
    res.on('finish', () => {
      seen.resolve({ own, writing, other, afterFinish: (socket as unknown as Internal)._httpMessage, writingAfter: isWritingOn(socket, res) })
    })
    res.end('ok')
  })
  const port = await listen(t, server)
  const c = await raw(t, port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  await c.until('ok')
  const s = await seen.promise
  t.equal(s.own, true, 'node:http sets socket._httpMessage to the response it is writing')
  t.equal(s.writing, true)
  t.equal(s.other, false, 'another response of the same request is not the one on the socket')
  t.equal(s.afterFinish, null, 'node:http clears socket._httpMessage once the response is done')
  t.equal(s.writingAfter, false)
})

t.test(`node ${process.version}: res.outputData / outputSize queue the writes of a response without a socket`, async (t) => {
  const seen = deferred<{ queue: unknown, size: unknown, sizeAfter: unknown, lengthAfter: number }>()
  const server = createServer()
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const res = new ServerResponse(req)
    res.writeHead(101, { Connection: 'Upgrade', Upgrade: 'test' })
    res.flushHeaders()
    const r = res as unknown as Internal
    const queue = Array.isArray(r.outputData) ? [...r.outputData as unknown[]] : r.outputData
    const size = r.outputSize
    movePendingOutput(res, socket)
    seen.resolve({ queue, size, sizeAfter: r.outputSize, lengthAfter: (r.outputData as unknown[]).length })
    socket.end('after')
  })
  const port = await listen(t, server)
  const c = await raw(t, port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n')
  await c.closed
  const s = await seen.promise
  t.ok(Array.isArray(s.queue), 'node:http queues the output of a socketless response in res.outputData')
  const queue = s.queue as Array<Record<string, unknown>>
  t.equal(queue.length, 1, 'the flushed head is one queued write')
  t.match(queue[0], { data: /^HTTP\/1\.1 101 Switching Protocols\r\n[^]*\r\n\r\n$/ }, 'a queued write keeps its bytes in `data`')
  t.ok('encoding' in queue[0]! && 'callback' in queue[0]!, 'and its `encoding` and `callback`')
  t.equal(s.size, (queue[0]!.data as string).length, 'res.outputSize counts the queued bytes')
  t.equal(s.lengthAfter, 0, 'movePendingOutput() empties the queue')
  t.equal(s.sizeAfter, 0)
  t.match(c.text(), /^HTTP\/1\.1 101 Switching Protocols\r\n[^]*Upgrade: test\r\n[^]*\r\n\r\nafter$/, 'the queued head reached the client first')
})
