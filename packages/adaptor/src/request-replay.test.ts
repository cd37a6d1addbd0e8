import t from 'tap'
import { request, type IncomingMessage } from 'node:http'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { server } from '@hertz-node/router'
import * as adaptor from '@hertz-node/adaptor'
import { New, start } from '@hertz-node/test-kit/router'

// A real collection between samples, so the measure is what is alive (what the request path holds on to),
// not garbage that V8 has not collected yet.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const MB = 1024 * 1024
const CHUNK = Buffer.alloc(64 * 1024, 'hertz-node adaptor upload ')

/** POSTs `total` bytes (CHUNK repeated) with backpressure; resolves with the status and body of the answer. */
function upload (url: string, total: number): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    let sent = 0
    const source = new Readable({
      read () {
        if (sent >= total) { this.push(null); return }
        const n = Math.min(CHUNK.length, total - sent)
        sent += n
        this.push(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))
      }
    })
    const req = request(url, { method: 'POST', headers: { 'Content-Length': String(total) }, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { body += d })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    source.pipe(req)
  })
}

function expectedDigest (total: number): string {
  const hash = createHash('sha256')
  for (let sent = 0; sent < total; sent += CHUNK.length) hash.update(CHUNK.subarray(0, Math.min(CHUNK.length, total - sent)))
  return hash.digest('hex')
}

t.test('a 50 MB upload streams through a wrapped handler with live memory far below the body size', async (t) => {
  const total = 50 * MB
  const h = New(server.withStreamBody(true))
  h.POST('/upload', adaptor.handler((req: IncomingMessage, res) => {
    const hash = createHash('sha256')
    let bytes = 0
    req.on('data', (d: Buffer) => { bytes += d.length; hash.update(d) })
    req.on('end', () => res.end(`${bytes} ${hash.digest('hex')}`))
  }))
  const { url } = await start(t, h)

  gc()
  const live = (): number => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers }
  const baseline = live()
  let peak = 0
  const sampler = setInterval(() => {
    gc()
    peak = Math.max(peak, live() - baseline)
  }, 25)
  t.teardown(() => clearInterval(sampler))
  const answer = await upload(url + '/upload', total)
  clearInterval(sampler)

  t.equal(answer.status, 200)
  t.equal(answer.body, `${total} ${expectedDigest(total)}`, 'every byte arrived, in order')
  t.ok(peak < 16 * MB, `peak live memory growth ${(peak / MB).toFixed(1)} MB stays well under the 50 MB body`)
})

t.test('without streaming the router refuses an oversized body (413) before the handler runs', async (t) => {
  const h = New()
  let ran = false
  h.POST('/upload', adaptor.handler((_req, res) => { ran = true; res.end() }))
  const { url } = await start(t, h)
  const answer = await upload(url + '/upload', 5 * MB)
  t.equal(answer.status, 413)
  t.equal(ran, false)
})

t.test('the replayed request repeats the original exactly and pipes like one', async (t) => {
  const h = New()
  let same: boolean[] = []
  let first: IncomingMessage | null = null
  h.POST('/replay', adaptor.middleware((req, _res, next) => { first = req; next() }), adaptor.handler((req, res) => {
    const orig = (res as unknown as { req: IncomingMessage }).req
    same = [
      req === first,
      req !== orig,
      req.method === orig.method,
      req.url === orig.url,
      req.httpVersion === orig.httpVersion,
      req.headers === orig.headers,
      req.rawHeaders === orig.rawHeaders,
      req.socket === orig.socket,
      req.complete
    ]
    res.setHeader('Content-Type', 'text/plain')
    req.pipe(res)
  }))
  h.POST('/empty', adaptor.handler((req, res) => {
    const orig = (res as unknown as { req: IncomingMessage }).req
    req.resume()
    req.on('end', () => res.end(`original=${req === orig}`))
  }))
  const { url } = await start(t, h)
  const r = await fetch(url + '/replay?x=1', { method: 'POST', body: 'replayed body', headers: { 'X-Custom': 'v' } })
  t.equal(await r.text(), 'replayed body')
  t.same(same, Array(9).fill(true))
  const e = await fetch(url + '/empty', { method: 'POST', body: '' })
  t.equal(await e.text(), 'original=true', 'a request without a body is handed over as it is')
})
