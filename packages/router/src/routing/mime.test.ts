import t from 'tap'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { start, New } from '@hertz-node/test-kit/router'

// Static file types come from the mime-types table, and a file whose extension says nothing is
// sniffed as Hertz does (http.DetectContentType on its first 512 bytes).
const CASES: Array<[name: string, content: string | Buffer, type: string]> = [
  ['clip.mp4', Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70]), 'video/mp4'],
  ['table.csv', 'a,b\n1,2\n', 'text/csv; charset=utf-8'],
  ['photo.avif', Buffer.from([0, 1, 2]), 'image/avif'],
  ['page.HTML', '<p>x</p>', 'text/html; charset=utf-8'],
  ['README', 'plain words\n', 'text/plain; charset=utf-8'],
  ['empty', '', 'text/plain; charset=utf-8'],
  ['LICENSE.unknownext', 'more words', 'text/plain; charset=utf-8'],
  ['blob', Buffer.from([0x00, 0x01, 0x02, 0x03]), 'application/octet-stream'],
  ['index', '  <!DOCTYPE html><html></html>', 'text/html; charset=utf-8'],
  ['picture', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'image/png'],
  ['doc', '%PDF-1.7\n', 'application/pdf']
]

t.test('static Content-Type: by extension from mime-types, else sniffed', async t => {
  const root = mkdtempSync(join(tmpdir(), 'hertz-mime-'))
  t.teardown(() => { rmSync(root, { recursive: true, force: true }) })
  for (const [name, content] of CASES) writeFileSync(join(root, name), content)
  const h = New()
  h.static('/s', root)
  const { url } = await start(t, h)
  for (const [name, , type] of CASES) {
    const r = await fetch(`${url}/s/${name}`)
    await r.arrayBuffer()
    t.equal(r.status, 200, name)
    t.equal(r.headers.get('content-type'), type, name)
  }
})
