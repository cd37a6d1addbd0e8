import t from 'tap'
import { createRequire } from 'node:module'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { New, start } from '@hertz-node/test-kit/router'

// Each test file runs in a process of its own, so what is loaded here is what importing the router loads.
const require = createRequire(import.meta.url)
const Module = require('node:module') as { _cache: Record<string, unknown> }

function loaded (pkg: string): boolean {
  return Object.keys(Module._cache).some(p => p.includes(`/node_modules/${pkg}/`))
}

t.test('mime-types and busboy are loaded with the first file served and the first multipart body, not before', async t => {
  t.notOk(loaded('mime-types'), 'importing the router does not load mime-types')
  t.notOk(loaded('@fastify/busboy'), 'importing the router does not load busboy')

  const dir = await mkdtemp(join(tmpdir(), 'lazy-deps-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'page.css'), 'body {}')
  const h = New()
  h.static('/files', dir)
  h.POST('/form', async (_ctx, c) => {
    const form = await c.multipartForm()
    c.string(200, form.value.name?.[0] ?? '')
  })
  const { url: base } = await start(t, h)
  t.notOk(loaded('mime-types'), 'a started server has not loaded mime-types')

  const css = await fetch(`${base}/files/page.css`)
  t.equal(css.status, 200)
  t.match(css.headers.get('content-type'), /^text\/css/, 'the type comes from mime-types once loaded')
  t.ok(loaded('mime-types'), 'mime-types is loaded by the first file served')

  const body = new FormData()
  body.set('name', 'gopher')
  const res = await fetch(`${base}/form`, { method: 'POST', body })
  t.equal(await res.text(), 'gopher', 'the multipart body is parsed')
  t.ok(loaded('@fastify/busboy'), 'busboy is loaded by the first multipart body')
})
