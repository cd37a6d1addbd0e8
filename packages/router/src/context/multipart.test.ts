import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { server } from '../index.js'
import { New, Default, start } from '@hertz-node/test-kit/router'
import { multipartBody, buildRequest, send } from '@hertz-node/test-kit/raw-case'

const B = 'XyZ'
const MP = { 'Content-Type': 'multipart/form-data; boundary=' + B }

async function emptyDir (dir: string): Promise<boolean> {
  // The files go right after the answer is written; give the unlinks a moment, without asserting on time.
  for (let i = 0; i < 200; i++) {
    if ((await readdir(dir)).length === 0) return true
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  return false
}

t.test('files past maxMemory stream to a temp file, removed when the request ends; small ones stay in memory', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'hertz-mp-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const h = New(server.withMultipartLimits({ maxMemory: 1024, tempDir: dir }))
  h.POST('/up', async (_ctx, c) => {
    const form = await c.multipartForm()
    const big = await c.formFile('big')
    const small = await c.formFile('small')
    const onDisk = await readdir(dir)
    c.json(200, {
      field: c.postForm('field'),
      bigOnDisk: big.tempPath !== null && onDisk.length === 1,
      smallInMemory: small.tempPath === null,
      bigOk: (await big.bytes()).equals(Buffer.alloc(100_000, 7)),
      sizes: [big.size, small.size],
      names: Object.keys(form.file)
    })
  })
  const { port } = await start(t, h)
  const body = multipartBody(B, [['field', 'v'], ['small', 's.txt', 'text/plain', 'hello'], ['big', 'b.bin', 'application/octet-stream', Buffer.alloc(100_000, 7)]])
  const res = await send(t, port, buildRequest('POST', '/up', MP, body))
  t.equal(res.status, 200, res.body)
  t.same(JSON.parse(res.body), { field: 'v', bigOnDisk: true, smallInMemory: true, bigOk: true, sizes: [100_000, 5], names: ['small', 'big'] })
  t.ok(await emptyDir(dir), 'the temp file is gone once the request ended')
})

t.test('withStreamBody: the form is read from the socket within the body limit; temp files removed', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'hertz-mp-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const h = Default(server.withStreamBody(true), server.withMaxRequestBodySize(64 * 1024),
    server.withMultipartLimits({ maxMemory: 0, tempDir: dir }))
  h.POST('/up', async (_ctx, c) => {
    const f = await c.formFile('f')
    c.string(200, `${f.size} ${String(f.tempPath !== null)} ${c.postForm('a')}`)
  })
  const { port } = await start(t, h)
  const ok = multipartBody(B, [['a', '1'], ['f', 'f.bin', 'application/octet-stream', Buffer.alloc(10_000, 1)]])
  const r1 = await send(t, port, buildRequest('POST', '/up', MP, ok))
  t.equal(r1.body, '10000 true 1')
  const tooBig = multipartBody(B, [['f', 'f.bin', 'application/octet-stream', Buffer.alloc(100_000, 1)]])
  const r2 = await send(t, port, buildRequest('POST', '/up', MP, tooBig))
  t.equal(r2.status, 413, 'over the body limit while streaming')
  t.ok(await emptyDir(dir), 'the partial temp file is removed')
})

t.test('bad multipart is a 400 with a typed code, never a crash', async t => {
  const h = Default(server.withMultipartLimits({ maxParts: 3, maxFiles: 1, maxFieldSize: 16 }))
  const codes: string[] = []
  h.POST('/form', async (_ctx, c) => {
    try {
      await c.multipartForm()
    } catch (err) {
      codes.push((err as { code: string }).code)
      throw err
    }
    c.string(200, 'ok')
  })
  h.POST('/file', async (_ctx, c) => { await c.formFile('nope') })
  const { port, logger } = await start(t, h)
  const cases: Array<[string, Record<string, string>, Buffer | string, number, string]> = [
    ['truncated body', MP, `--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue`, 400, 'HERTZ_ERR_BAD_MULTIPART'],
    ['no boundary', { 'Content-Type': 'multipart/form-data' }, 'x', 400, 'HERTZ_ERR_NOT_MULTIPART'],
    ['not multipart', { 'Content-Type': 'text/plain' }, 'x', 400, 'HERTZ_ERR_NOT_MULTIPART'],
    ['too many parts', MP, multipartBody(B, [['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']]), 400, 'HERTZ_ERR_MULTIPART_LIMIT'],
    ['too many files', MP, multipartBody(B, [['a', 'a', 'text/plain', '1'], ['b', 'b', 'text/plain', '2']]), 400, 'HERTZ_ERR_MULTIPART_LIMIT'],
    ['field too large', MP, multipartBody(B, [['a', 'x'.repeat(17)]]), 400, 'HERTZ_ERR_MULTIPART_LIMIT']
  ]
  for (const [name, headers, body, status, code] of cases) {
    codes.length = 0
    const res = await send(t, port, buildRequest('POST', '/form', headers, body))
    t.equal(res.status, status, name)
    t.same(codes, [code], name)
  }
  const missing = await send(t, port, buildRequest('POST', '/file', MP, multipartBody(B, [['a', '1']])))
  t.equal(missing.status, 400, 'formFile of an absent file')
  t.match(logger.text(), /no such file: nope/)
  const over = await send(t, port, buildRequest('POST', '/form', MP, Buffer.alloc(5 << 20, 45)))
  t.equal(over.status, 413, 'over the body limit')
  t.equal((await send(t, port, buildRequest('POST', '/form', MP, multipartBody(B, [['a', '1']])))).body, 'ok', 'still serving')
})
