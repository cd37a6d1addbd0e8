import t from 'tap'
import { z } from 'zod'
import * as v from 'valibot'
import { start, New, Default } from '@hertz-node/test-kit/router'
import type { BindOptions } from './gather.js'
import type { Schema } from './schema.js'

// Cases ported from cloudwego/hertz pkg/app/server/binding/binder_test.go (named after the Go test), over a real
// server: a Go struct with tags becomes a Standard Schema (zod here) plus `fields` where the Go struct had tags.
interface Case {
  from: string
  route?: string
  url: string
  init?: RequestInit
  schema: Schema
  opts?: BindOptions
  want: unknown
}

const CASES: Case[] = [
  {
    from: 'TestBind_BaseType',
    route: '/v/:v',
    url: '/v/1?id=12',
    init: { method: 'POST', headers: { H: 'header', 'content-type': 'application/x-www-form-urlencoded' }, body: 'f=form' },
    schema: z.object({ Version: z.number(), ID: z.number(), Header: z.string(), Form: z.string() }),
    opts: { fields: { Version: { path: 'v' }, ID: { query: 'id' }, Header: { header: 'H' }, Form: { form: 'f' } } },
    want: { Version: 1, ID: 12, Header: 'header', Form: 'form' }
  },
  {
    from: 'TestBind_SliceType',
    url: '/?id=11&id=12&id=13&str=qwe&str=asd&str=zxc',
    init: { headers: { H: 'header' } },
    schema: z.object({ ID: z.array(z.number()), Str: z.array(z.string()), HH: z.array(z.string()) }),
    opts: { fields: { ID: { query: 'id' }, Str: { query: 'str' }, HH: { header: 'h' } } },
    want: { ID: [11, 12, 13], Str: ['qwe', 'asd', 'zxc'], HH: ['header'] }
  },
  {
    from: 'TestBind_NoTagField (path beats query beats header)',
    route: '/n/:B',
    url: '/n/b2?B=b1&C=c1',
    init: { headers: { A: 'a2' } },
    schema: z.object({ A: z.string(), B: z.string(), C: z.string() }),
    want: { A: 'a2', B: 'b2', C: 'c1' }
  },
  {
    from: 'TestBind_ZeroValueBind (LooseZeroMode)',
    url: '/?a=&b=',
    schema: z.object({ A: z.number(), B: z.number() }),
    opts: { looseZeroMode: true, fields: { A: { query: 'a' }, B: { query: 'b' } } },
    want: { A: 0, B: 0 }
  },
  {
    from: 'TestBind_DefaultValueBind',
    url: '/',
    schema: z.object({ A: z.number().int(), B: z.number(), C: z.array(z.number()), D: z.array(z.string()) }),
    opts: { fields: { A: { default: '15' }, B: { query: 'b', default: '17' }, C: { default: '[15]' }, D: { default: "['qwe','asd']" } } },
    want: { A: 15, B: 17, C: [15], D: ['qwe', 'asd'] }
  },
  {
    from: 'TestBind_JSON (query over the JSON body)',
    url: '/?a=2',
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1, b: [1, 2], c: { d: true } }) },
    schema: z.object({ a: z.number(), b: z.array(z.number()), c: z.object({ d: z.boolean() }) }),
    want: { a: 2, b: [1, 2], c: { d: true } }
  },
  {
    from: 'TestBind_BindTag (json name mapping)',
    url: '/',
    init: { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"user_name":"x"}' },
    schema: z.object({ userName: z.string() }),
    opts: { fields: { userName: { json: 'user_name' } } },
    want: { userName: 'x' }
  },
  {
    from: 'Test_BindHeaderNormalize',
    url: '/',
    init: { headers: { h: 'header' } },
    schema: z.object({ Header: z.string() }),
    opts: { fields: { Header: { header: 'H' } } },
    want: { Header: 'header' }
  },
  {
    from: 'TestBind_StructFieldResolve (a JSON object in the query)',
    url: '/?Nested=' + encodeURIComponent('{"A":"a","B":1}'),
    schema: z.object({ Nested: z.object({ A: z.string(), B: z.number() }) }),
    want: { Nested: { A: 'a', B: 1 } }
  },
  {
    from: 'slice from one JSON text (Hertz falls back to json.Unmarshal)',
    url: '/?ids=' + encodeURIComponent('[1,2,3]'),
    schema: z.object({ ids: z.array(z.number().int()) }),
    want: { ids: [1, 2, 3] }
  },
  {
    from: 'ParseBool spellings, cookie source',
    url: '/?a=t&b=FALSE&c=1',
    init: { headers: { cookie: 'session=abc; other=1' } },
    schema: z.object({ a: z.boolean(), b: z.boolean(), c: z.boolean(), session: z.string() }),
    want: { a: true, b: false, c: true, session: 'abc' }
  },
  {
    from: 'form body beats query (postForm before query)',
    url: '/?x=query',
    init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=form&n=5' },
    schema: z.object({ x: z.string(), n: z.coerce.number() }),
    want: { x: 'form', n: 5 }
  }
]

t.test('bindAndValidate: Hertz binder cases over a real server', async t => {
  const h = Default()
  CASES.forEach((k, i) => {
    h.any(`/${i}${k.route ?? ''}`, async (_ctx, c) => { c.json(200, await c.bindAndValidate(k.schema, k.opts)) })
  })
  const { url } = await start(t, h)
  for (const [i, k] of CASES.entries()) {
    const r = await fetch(`${url}/${i}${k.url}`, k.init)
    const body = await r.text()
    t.equal(r.status, 200, `${k.from}: ${body}`)
    t.same(JSON.parse(body), k.want, k.from)
  }
})

t.test('a failure rejects with a BindError listing each field; Default answers 400 without logging', async t => {
  const schema = z.object({ id: z.number().int(), email: z.string().email(), tags: z.array(z.string()).min(1) })
  const h = Default()
  let caught: unknown
  h.GET('/bad', async (_ctx, c) => { c.json(200, await c.bindAndValidate(schema)) })
  h.GET('/catch', async (_ctx, c) => {
    try {
      await c.bindAndValidate(schema)
    } catch (err) {
      caught = err
      c.string(422, 'caught')
    }
  })
  h.POST('/json', async (_ctx, c) => { c.json(200, await c.bindAndValidate(schema)) })
  const { url, logger } = await start(t, h)
  const r = await fetch(url + '/bad?id=abc&email=nope')
  t.equal(r.status, 400)
  t.match(r.headers.get('content-type'), /^application\/json/)
  const body = await r.json() as { code: string, issues: Array<{ path: string, message: string }> }
  t.equal(body.code, 'HERTZ_ERR_VALIDATION')
  t.same(body.issues.map(i => i.path).sort(), ['email', 'id', 'tags'])
  t.equal(logger.lines.filter(l => l.includes('[Recovery]')).length, 0, 'a client error is not logged as a panic')
  await (await fetch(url + '/catch?id=1')).text()
  t.match(caught, { name: 'BindError', code: 'HERTZ_ERR_VALIDATION' })
  const bad = await fetch(url + '/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":' })
  t.equal(bad.status, 400)
  t.match(await bad.json(), { code: 'HERTZ_ERR_BIND', issues: [] })
})

t.test('valibot (no JSON Schema): values bound as text, repeated keys as arrays; source binders', async t => {
  const h = New()
  h.GET('/v/:id', async (_ctx, c) => {
    c.json(200, await c.bindAndValidate(v.object({ id: v.pipe(v.string(), v.transform(Number)), q: v.array(v.string()) })))
  })
  h.GET('/q/:id', async (_ctx, c) => { c.json(200, await c.bindQuery(z.object({ id: z.string().optional(), n: z.number() }))) })
  h.GET('/p/:id', async (_ctx, c) => { c.json(200, await c.bindPath(z.object({ id: z.number() }))) })
  h.GET('/h', async (_ctx, c) => { c.json(200, await c.bindHeader(z.object({ 'x-n': z.number() }))) })
  h.POST('/f', async (_ctx, c) => { c.json(200, await c.bindByContentType(z.object({ a: z.array(z.number()) }))) })
  h.POST('/j', async (_ctx, c) => { c.json(200, await c.bindJSON(z.object({ a: z.number() }))) })
  h.GET('/raw', async (_ctx, c) => { c.json(200, await c.bind()) })
  const { url } = await start(t, h)
  t.same(await (await fetch(url + '/v/7?q=a&q=b')).json(), { id: 7, q: ['a', 'b'] })
  t.same(await (await fetch(url + '/q/7?n=3')).json(), { n: 3 }, 'bindQuery ignores the path')
  t.same(await (await fetch(url + '/p/7?id=9')).json(), { id: 7 }, 'bindPath ignores the query')
  t.same(await (await fetch(url + '/h', { headers: { 'X-N': '5' } })).json(), { 'x-n': 5 })
  t.same(await (await fetch(url + '/f', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&a=2' })).json(), { a: [1, 2] })
  t.same(await (await fetch(url + '/j', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"a":1}' })).json(), { a: 1 }, 'bindJSON whatever the type')
  t.same(await (await fetch(url + '/raw?a=1&a=2&b=x')).json(), { a: ['1', '2'], b: 'x' }, 'bind() without schema: text')
})

t.test('multipart: fields coerced, files bound as FileHeader, a malformed body 400', async t => {
  const h = Default()
  const schema = z.object({ n: z.number(), tags: z.array(z.string()), doc: z.object({ filename: z.string(), size: z.number() }) })
  h.POST('/up', async (_ctx, c) => {
    const v = await c.bindAndValidate(schema)
    c.json(200, { n: v.n, tags: v.tags, name: v.doc.filename, size: v.doc.size })
  })
  const { url } = await start(t, h)
  const fd = new FormData()
  fd.append('n', '42')
  fd.append('tags', 'a')
  fd.append('tags', 'b')
  fd.append('doc', new Blob(['hello file']), 'hello.txt')
  const r = await fetch(url + '/up', { method: 'POST', body: fd })
  t.same(await r.json(), { n: 42, tags: ['a', 'b'], name: 'hello.txt', size: 10 })
  const bad = await fetch(url + '/up', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: '--xyz\r\nbroken' })
  t.equal(bad.status, 400)
})
