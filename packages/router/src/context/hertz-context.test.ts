// pkg/app/context_test.go of cloudwego/hertz, ported case by case: each row names the Hertz test it comes from,
// sends its request byte for byte over a real socket, runs the Hertz test's steps inside a handler and checks what
// the handler saw (`out`, answered as JSON) and what reached the wire. Cases that cannot apply are in the router
// README's departures table.
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import {
  ContextError, CookieSameSiteDisabled, CookieSameSiteNoneMode, ErrorTypePrivate, ErrorTypePublic, clientIPWithOption,
  getHandlerName, setHandlerName, type HandlerFunc, type RequestContext
} from '../index.js'
import { New, start } from '@hertz-node/test-kit/router'
import { multipartBody, buildRequest, send, type SentResponse } from '@hertz-node/test-kit/raw-case'

const HERE = new URL('.', import.meta.url).pathname
const B = '----WebKitFormBoundaryJwfATyF8tmxSJnLg'
const MP = { 'Content-Type': 'multipart/form-data; boundary=' + B }
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' }
const TODO = "- SessionClient with referer and cookies support.\n- Client with requests' pipelining support.\n" +
  '- ProxyHandler similar to FSHandler.\n- WebSockets. See https://tools.ietf.org/html/rfc6455 .\n' +
  '- HTTP/2.0. See https://tools.ietf.org/html/rfc7540 .\n'
const F1_AND_FILE = multipartBody(B, [['f1', 'value1'], ['fileaaa', 'TODO', 'application/octet-stream', TODO]])

type Out = Record<string, unknown>
interface Case {
  hertz: string
  /** Route pattern and request path when the case needs parameters (default `/t/<index>`). */
  route?: [string, string]
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  query?: string
  /** Handlers before the case's own one. */
  before?: HandlerFunc[]
  /** The Hertz test's steps; what it returns is answered as JSON (nothing: the handler answered itself). */
  run: (c: RequestContext) => Out | undefined | void | Promise<Out | undefined | void>
  want?: Out
  check?: (t: Test, res: SentResponse, out: Out) => void
}

const testFunc2: HandlerFunc = function testFunc2 (_ctx, c) { c.set('key', '123') }
const tmp = await mkdtemp(join(tmpdir(), 'hertz-ctx-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))

const cases: Case[] = [
  { hertz: 'TestPureJson', run: c => { c.pureJSON(200, { html: '<b>Hello World</b>' }) }, check: (t, r) => t.equal(r.body, '{"html":"<b>Hello World</b>"}\n') },
  { hertz: 'TestIndentedJSON', run: c => { c.indentedJSON(200, { foo: 'bar', html: 'h1' }) }, check: (t, r) => t.equal(r.body, '{\n    "foo": "bar",\n    "html": "h1"\n}') },
  { hertz: 'TestContext', run: c => { c.set('testContextKey', 'testValue'); return { v: c.value('testContextKey') } }, want: { v: 'testValue' } },
  { hertz: 'TestValue', run: c => { const before = c.value('testContextKey') ?? null; c.set('testContextKey', 'testValue'); return { before, after: c.value('testContextKey') } }, want: { before: null, after: 'testValue' } },
  { hertz: 'TestContextNotModified', run: c => { c.response.setStatusCode(200); c.write('x'); c.notModified() }, check: (t, r) => { t.equal(r.status, 304); t.equal(r.body, '') } },
  {
    hertz: 'TestIfModifiedSince',
    headers: { 'If-Modified-Since': 'Mon, 02 Jan 2006 15:04:05 GMT' },
    run: c => ({ now: c.ifModifiedSince(new Date()), old: c.ifModifiedSince(new Date('2004-11-12T11:45:26.371Z')) }),
    want: { now: true, old: false }
  },
  { hertz: 'TestWrite', run: c => { const n = c.write(Buffer.from('test body')); c.header('X-N', String(n)) }, check: (t, r) => { t.equal(r.headers['x-n'], '9'); t.equal(r.body, 'test body') } },
  { hertz: 'TestSetConnectionClose', run: c => { c.setConnectionClose(); c.string(200, 'ok') }, check: (t, r) => t.equal(r.headers.connection, 'close') },
  { hertz: 'TestNotFound', run: c => { c.notFound() }, check: (t, r) => { t.equal(r.status, 404); t.equal(r.body, 'Not Found') } },
  { hertz: 'TestRedirect', run: c => { c.redirect(302, '/hello'); const a = c.response.statusCode(); c.redirect(301, '/hello'); return { a, b: c.response.statusCode() } }, check: (t, r, o) => { t.same(o, { a: 302, b: 301 }) } },
  { hertz: 'TestGetRedirectStatusCode', run: c => { c.redirect(301, '/x'); const a = c.response.statusCode(); c.redirect(404, '/x'); return { a, b: c.response.statusCode() } }, check: (t, r, o) => { t.same(o, { a: 301, b: 302 }) } },
  { hertz: 'TestCookie', headers: { Cookie: 'cookie=test cookie' }, run: c => ({ v: c.cookie('cookie') }), want: { v: 'test cookie' } },
  { hertz: 'TestUserAgent', headers: { 'User-Agent': 'user agent' }, run: c => ({ v: c.userAgent() }), want: { v: 'user agent' } },
  { hertz: 'TestStatus', run: c => { c.status(200) }, check: (t, r) => t.equal(r.status, 200) },
  { hertz: 'TestMethod', run: c => { c.status(202) }, check: (t, r) => t.equal(r.status, 202) },
  { hertz: 'TestPost', method: 'POST', run: c => ({ post: c.isPost(), m: c.method() }), want: { post: true, m: 'POST' } },
  { hertz: 'TestGet (POST)', method: 'POST', run: c => ({ get: c.isGet() }), want: { get: false } },
  { hertz: 'TestGet (GET)', run: c => ({ get: c.isGet(), head: c.isHead() }), want: { get: true, head: false } },
  {
    hertz: 'TestCopy',
    route: ['/copy/:key_a/:key_b', '/copy/value_a/value_b'],
    headers: { header_a: 'header_value_a' },
    run: async c => {
      c.setFullPath('full_path')
      c.response.header.add('header_b', 'header_value_b')
      c.set('map_key_a', 'map_value_a')
      const cp = c.copy()
      await new Promise(resolve => setImmediate(resolve))
      const seen = { p: cp.param('key_a') + cp.param('key_b'), fp: cp.fullPath(), rq: cp.getHeader('header_a'), rs: cp.response.header.get('header_b'), k: cp.value('map_key_a'), aborted: cp.isAborted() }
      cp.set('map_key_a', 'changed')
      cp.response.header.set('header_b', 'changed')
      return { ...seen, origKey: c.get('map_key_a'), origHeader: c.response.header.get('header_b') }
    },
    check: (t, r, o) => t.match(o, { fp: 'full_path', rq: 'header_value_a', rs: 'header_value_b', k: 'map_value_a', aborted: true, origKey: 'map_value_a', origHeader: 'header_value_b', p: 'value_avalue_b' })
  },
  {
    hertz: 'TestQuery (chunk-size line without trailing spaces, see departures)',
    method: 'POST',
    query: '?name=menu&value=',
    headers: { 'Transfer-Encoding': 'chunked', 'Content-Type': 'aa/bb' },
    body: '3\r\nabc\r\n0\r\n\r\n',
    run: c => ({ q: c.query('name'), d: c.defaultQuery('name', 'default value'), dd: c.defaultQuery('defaultQuery', 'default value') }),
    want: { q: 'menu', d: 'menu', dd: 'default value' }
  },
  { hertz: 'TestPostForm (multipart)', method: 'POST', headers: MP, body: F1_AND_FILE, run: c => ({ f1: c.postForm('f1'), file: c.postForm('fileaaa') }), want: { f1: 'value1', file: '' } },
  { hertz: 'TestPostForm (urlencoded)', method: 'POST', headers: FORM, body: 'hello=world', run: c => ({ v: c.postForm('hello') }), want: { v: 'world' } },
  { hertz: 'TestPostFormArray (multipart)', method: 'POST', headers: MP, body: multipartBody(B, [['tag', 'red'], ['tag', 'green'], ['tag', 'blue']]), run: c => ({ v: c.postFormArray('tag') }), want: { v: ['red', 'green', 'blue'] } },
  { hertz: 'TestPostFormArray (urlencoded)', method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' }, body: 'tag=red&tag=green&tag=blue\n', run: c => ({ v: c.postFormArray('tag') }), want: { v: ['red', 'green', 'blue\n'] } },
  { hertz: 'TestDefaultPostForm', method: 'POST', headers: MP, body: F1_AND_FILE, run: c => ({ a: c.defaultPostForm('f1', 'no val'), b: c.defaultPostForm('f99', 'no val') }), want: { a: 'value1', b: 'no val' } },
  {
    hertz: 'TestRequestContext_FormFile',
    method: 'POST',
    headers: MP,
    body: F1_AND_FILE,
    run: async c => {
      const f = await c.multipartForm()
      const names = Object.keys(f.file)
      const v = f.file.fileaaa?.[0]
      if (v === undefined) return { names }
      const dst = join(tmp, 'TODO')
      await c.saveUploadedFile(v, dst)
      const st = await stat(dst)
      const ff = await c.formFile('fileaaa')
      const chunks: Buffer[] = []
      for await (const chunk of ff.open()) chunks.push(chunk as Buffer)
      const text = Buffer.concat(chunks).toString()
      return { names, count: f.file.fileaaa?.length, filename: v.filename, ct: v.header.get('Content-Type'), savedSize: st.size, size: v.size, head: text.includes('- SessionClient'), tail: text.includes('rfc7540 .') }
    },
    want: { names: ['fileaaa'], count: 1, filename: 'TODO', ct: 'application/octet-stream', savedSize: Buffer.byteLength(TODO), size: Buffer.byteLength(TODO), head: true, tail: true }
  },
  {
    hertz: 'TestContextRenderFileFromFS',
    query: '',
    run: async c => { await c.fileFromFS('./hertz-context.test.ts', { root: HERE }); c.header('X-Path', c.path()) },
    check: (t, r) => { t.equal(r.status, 200); t.ok(r.body.includes("t.test('pkg/app/context_test.go")); t.not(r.headers['content-type'] ?? '', ''); t.match(r.headers['x-path'], /^\/t\/\d+$/) }
  },
  { hertz: 'TestContextRenderFileFromFS (outside the root: 404)', run: async c => { await c.fileFromFS('../../package.json', { root: HERE }) }, check: (t, r) => t.equal(r.status, 404) },
  { hertz: 'TestContextRenderFile', run: async c => { await c.file(join(HERE, 'request-context.ts')) }, check: (t, r) => { t.equal(r.status, 200); t.ok(r.body.includes('export class RequestContext')); t.not(r.headers['content-type'] ?? '', '') } },
  {
    hertz: 'TestContextRenderAttachment',
    run: async c => { await c.fileAttachment(join(HERE, 'request-context.ts'), 'new_filename.go') },
    check: (t, r) => { t.equal(r.status, 200); t.ok(r.body.includes('fileAttachment (filepath: string, filename: string)')); t.equal(r.headers['content-disposition'], 'attachment; filename="new_filename.go"') }
  },
  {
    hertz: 'TestRequestContext_Header',
    run: c => {
      c.header('header_key', 'header_val')
      const a = c.response.header.peek('header_key')
      c.response.header.del('header_key')
      const b = c.response.header.peek('header_key')
      c.header('header_key1', 'header_val1')
      c.header('header_key1', '')
      return { a, b, c: c.response.header.peek('header_key1') }
    },
    want: { a: 'header_val', b: '', c: '' }
  },
  { hertz: 'TestRequestContext_Keys', run: c => { c.set('key', '123'); return { v: c.getString('key') } }, want: { v: '123' } },
  {
    hertz: 'TestRequestContext_Handler',
    run: c => {
      c.setHandlers([(ctx, cc) => cc.next(ctx), testFunc2])
      void (c.handler() as HandlerFunc)(c, c)
      const v = c.getString('key')
      c.setHandlers([])
      return { v, none: c.handler() === undefined }
    },
    want: { v: '123', none: true }
  },
  {
    hertz: 'TestRequestContext_Handlers',
    run: c => { c.setHandlers([(ctx, cc) => cc.next(ctx), testFunc2]); void (c.handlers()[1] as HandlerFunc)(c, c); return { v: c.getString('key') } },
    want: { v: '123' }
  },
  {
    hertz: 'TestRequestContext_HandlerName (JavaScript name, see departures)',
    run: c => { c.setHandlers([(ctx, cc) => cc.next(ctx), testFunc2]); return { v: c.handlerName() } },
    want: { v: 'testFunc2' }
  },
  {
    hertz: 'TestNext',
    run: c => {
      let a = 0
      c.setHandlers([() => { a = 1 }, () => { a = 3 }])
      c.setIndex(-1)
      void c.next(c)
      return { index: c.getIndex(), a }
    },
    want: { index: 2, a: 3 }
  },
  {
    hertz: 'TestContextError',
    run: c => {
      const empty = c.errors.length
      const firstErr = new Error('first error')
      c.error(firstErr)
      const one = c.errors.length
      const s = c.errors.toString()
      const secondErr = new Error('second error')
      c.error(new ContextError(secondErr, ErrorTypePublic, 'some data 2'))
      const [e0, e1] = c.errors
      let threw = ''
      try { c.error(null) } catch (err) { threw = (err as { code: string }).code }
      return {
        empty,
        one,
        s,
        two: c.errors.length,
        e0err: e0?.err === firstErr,
        e0meta: e0?.meta ?? null,
        e0type: e0?.type === ErrorTypePrivate,
        e1err: e1?.err === secondErr,
        e1meta: e1?.meta,
        e1type: e1?.type === ErrorTypePublic,
        last: c.errors.last() === e1,
        threw,
        s2: c.errors.toString(),
        public: c.errors.byType(ErrorTypePublic).errors(),
        json: c.errors.json()
      }
    },
    want: {
      empty: 0,
      one: 1,
      s: 'Error #01: first error\n',
      two: 2,
      e0err: true,
      e0meta: null,
      e0type: true,
      e1err: true,
      e1meta: 'some data 2',
      e1type: true,
      last: true,
      threw: 'HERTZ_ERR_BAD_HANDLER',
      s2: 'Error #01: first error\nError #02: second error\n     Meta: some data 2\n',
      public: ['second error'],
      json: [{ error: 'first error' }, { meta: 'some data 2', error: 'second error' }]
    }
  },
  {
    hertz: 'TestContextAbortWithError',
    run: c => { c.abortWithError(401, new Error('bad input')).setMeta('some input'); c.header('X-Aborted', String(c.isAborted())); c.header('X-Meta', String(c.errors.last()?.meta)) },
    check: (t, r) => { t.equal(r.status, 401); t.equal(r.headers['x-aborted'], 'true'); t.equal(r.headers['x-meta'], 'some input') }
  },
  { hertz: 'TestJSON', run: c => { c.json(200, 'test') }, check: (t, r) => { t.equal(r.status, 200); t.ok(r.body.includes('test')) } },
  { hertz: 'TestDATA', run: c => { c.data(200, 'application/json; charset=utf-8', Buffer.from('{"test":1}')) }, check: (t, r) => { t.equal(r.status, 200); t.equal(r.body, '{"test":1}') } },
  { hertz: 'TestContextContentType', method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: '{}', run: c => ({ v: c.contentType() }), want: { v: 'application/json; charset=utf-8' } },
  { hertz: 'TestSetClientIPFunc (per context)', run: c => { c.setClientIPFunc(() => ''); return { v: c.clientIP() } }, want: { v: '' } },
  { hertz: 'TestGetQuery', query: '?a=1&b=', run: c => ({ v: c.getQuery('b'), has: c.getQuery('b') !== undefined }), want: { v: '', has: true } },
  { hertz: 'TestGetPostForm', method: 'POST', headers: FORM, body: 'a=1&b=', run: c => ({ v: c.getPostForm('b'), has: c.getPostForm('b') !== undefined }), want: { v: '', has: true } },
  { hertz: 'TestGetPostFormArray', method: 'POST', headers: FORM, body: 'a=1&b=2&b=3', run: c => ({ v: c.getPostFormArray('b') }), want: { v: ['2', '3'] } },
  { hertz: 'TestRemoteAddr (a real peer, see departures)', run: c => ({ v: c.remoteAddr().string() }), check: (t, r, o) => t.match(o.v, /^127\.0\.0\.1:\d+$/) },
  {
    hertz: 'TestContextIsAborted',
    run: c => { const a = c.isAborted(); c.abort(); const b = c.isAborted(); void c.next(c); const d = c.isAborted(); c.setIndex(c.getIndex() + 1); return { a, b, d, e: c.isAborted() } },
    want: { a: false, b: true, d: true, e: true }
  },
  { hertz: 'TestContextAbortWithStatus', run: c => { c.setIndex(4); c.abortWithStatus(401); c.header('X-A', String(c.isAborted())) }, check: (t, r) => { t.equal(r.status, 401); t.equal(r.headers['x-a'], 'true') } },
  {
    hertz: 'TestContextAbortWithStatusJSON',
    run: c => { c.setIndex(4); c.abortWithStatusJSON(415, { foo: 'fooValue', bar: 'barValue' }); c.header('X-A', String(c.isAborted())) },
    check: (t, r) => { t.equal(r.status, 415); t.equal(r.headers['x-a'], 'true'); t.equal(r.headers['content-type'], 'application/json; charset=utf-8'); t.equal(r.body, '{"foo":"fooValue","bar":"barValue"}') }
  },
  { hertz: 'TestRequestCtxFormValue (query and urlencoded)', method: 'POST', query: '?baz=123&aaa=bbb', headers: FORM, body: 'qqq=port&mmm=sddd', run: c => ({ baz: c.formValue('baz'), mmm: c.formValue('mmm'), none: c.formValue('aaaasdfsdf') }), want: { baz: '123', mmm: 'sddd', none: '' } },
  { hertz: 'TestRequestCtxFormValue (SetFormData)', method: 'POST', headers: FORM, body: 'a=1', run: c => ({ a: c.formValue('a') }), want: { a: '1' } },
  { hertz: 'TestRequestCtxFormValue (multipart)', method: 'POST', headers: MP, body: multipartBody(B, [['f', 'fff']]), run: c => ({ f: c.formValue('f') }), want: { f: 'fff' } },
  {
    hertz: 'TestSetCustomFormValueFunc',
    method: 'POST',
    query: '?aaa=bbb',
    headers: FORM,
    body: 'aaa=port',
    run: c => {
      c.setFormValueFunc((cc, key) => cc.postArgs().peek(key) || cc.queryArgs().peek(key))
      return { v: c.formValue('aaa') }
    },
    want: { v: 'port' }
  },
  {
    hertz: 'TestContextSetGet',
    run: c => { c.set('foo', 'bar'); let threw = ''; try { c.mustGet('no_exist') } catch (e) { threw = (e as { code: string }).code } return { v: c.get('foo'), missing: c.get('foo2') === undefined, must: c.mustGet('foo'), threw } },
    want: { v: 'bar', missing: true, must: 'bar', threw: 'HERTZ_ERR_KEY_NOT_FOUND' }
  },
  {
    hertz: 'TestContextSetGetValues',
    run: c => {
      const vals: Out = { string: 'this is a string', int32: -42, int64: 42424242424242, uint32: 42, uint64: 42424242424242, float32: Math.fround(4.2), float64: 4.2, intInterface: 1 }
      for (const [k, v] of Object.entries(vals)) c.set(k, v)
      const got: Out = {}
      for (const k of Object.keys(vals)) got[k] = c.mustGet(k)
      return got
    },
    want: { string: 'this is a string', int32: -42, int64: 42424242424242, uint32: 42, uint64: 42424242424242, float32: Math.fround(4.2), float64: 4.2, intInterface: 1 }
  },
  {
    hertz: 'TestContextGetString TestContextSetGetBool TestContextGetInt TestContextGetInt32 TestContextGetInt64 TestContextGetUint TestContextGetUint32 TestContextGetUint64 TestContextGetFloat32 TestContextGetFloat64 TestContextGetTime TestContextGetDuration TestContextGetStringSlice TestContextGetStringMap TestContextGetStringMapString TestContextGetStringMapStringSlice (typed getters)',
    run: c => {
      const t1 = new Date('2017-01-01T12:00:00Z')
      c.set('string', 'this is a string'); c.set('bool', true); c.set('int', 1); c.set('int32', -42); c.set('int64', 42424242424242)
      c.set('uint', 1); c.set('uint32', 42); c.set('uint64', 42424242424242); c.set('float32', 4.2); c.set('float64', 4.2); c.set('time', t1)
      c.set('duration', 1000); c.set('slice', ['foo']); c.set('map', { foo: 1 }); c.set('mapString', { foo: 'bar' }); c.set('mapSlice', { foo: ['foo'] })
      const s = 'string'
      return {
        good: [c.getString('string'), c.getBool('bool'), c.getInt('int'), c.getInt32('int32'), c.getInt64('int64'), c.getUint('uint'), c.getUint32('uint32'),
          c.getUint64('uint64'), c.getFloat32('float32'), c.getFloat64('float64'), c.getTime('time') === t1, c.getDuration('duration'), c.getStringSlice('slice'),
          c.getStringMap('map'), c.getStringMapString('mapString'), c.getStringMapStringSlice('mapSlice')],
        zero: [c.getString('bool'), c.getBool(s), c.getInt(s), c.getInt32(s), c.getInt64(s), c.getUint(s), c.getUint32(s), c.getUint64(s), c.getFloat32(s),
          c.getFloat64(s), c.getTime(s) === undefined, c.getDuration(s), c.getStringSlice(s), c.getStringMap(s), c.getStringMapString(s), c.getStringMapStringSlice(s),
          c.getUint32('int32'), c.getInt32('int64')]
      }
    },
    want: {
      good: ['this is a string', true, 1, -42, 42424242424242, 1, 42, 42424242424242, Math.fround(4.2), 4.2, true, 1000, ['foo'], { foo: 1 }, { foo: 'bar' }, { foo: ['foo'] }],
      zero: ['', false, 0, 0, 0, 0, 0, 0, 0, 0, true, 0, [], {}, {}, {}, 0, 0]
    }
  },
  { hertz: 'TestForEachKey', run: c => { c.set('1', '2'); const seen: string[] = []; c.forEachKey((k, v) => seen.push(k + String(v))); return { seen, v: c.get('1') } }, want: { seen: ['12'], v: '2' } },
  { hertz: 'TestFlush', run: async c => { c.write('a'); await c.flush(); c.write('b') }, check: (t, r) => { t.equal(r.body, 'ab'); t.equal(r.headers['transfer-encoding'], 'chunked') } },
  { hertz: 'TestIndex', run: c => { const a = c.getIndex(); c.setIndex(1); return { a, b: c.getIndex() } }, want: { a: 0, b: 1 } },
  {
    hertz: 'TestHandlerName TestConcurrentHandlerName (one thread: set then get)',
    run: () => { const h: HandlerFunc = () => {}; setHandlerName(h, 'test1'); const a = getHandlerName(h); setHandlerName(h, 'test2'); return { a, b: getHandlerName(h) } },
    want: { a: 'test1', b: 'test2' }
  },
  { hertz: 'TestString', run: c => { c.string(200, 'ok') }, check: (t, r) => { t.equal(r.status, 200); t.equal(r.body, 'ok') } },
  { hertz: 'TestFullPath', run: c => { const a = c.fullPath(); c.setFullPath('/hello'); return { a, b: c.fullPath() } }, check: (t, r, o) => t.match(o, { a: /^\/t\/\d+$/, b: '/hello' }) },
  { hertz: 'TestGetHeader', method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'x', run: c => ({ v: c.getHeader('Content-Type') }), want: { v: 'text/plain; charset=utf-8' } },
  { hertz: 'TestGetRawData', method: 'POST', body: 'hello', run: async c => ({ raw: c.getRawData()?.toString(), body: (await c.body()).toString() }), want: { raw: 'hello', body: 'hello' } },
  {
    hertz: 'TestRequestContext_SetCookie',
    run: c => { c.setCookie('user', 'hertz', 1, '/', 'localhost', CookieSameSiteNoneMode, true, true) },
    check: (t, r) => sameCookie(t, r.headers['set-cookie'], 'user=hertz; max-age=1; domain=localhost; path=/; HttpOnly; secure; SameSite=None')
  },
  {
    hertz: 'TestRequestContext_SetPartitionedCookie',
    run: c => { c.setPartitionedCookie('user', 'hertz', 1, '/', 'localhost', CookieSameSiteNoneMode, true, true) },
    check: (t, r) => sameCookie(t, r.headers['set-cookie'], 'user=hertz; max-age=1; domain=localhost; path=/; HttpOnly; secure; SameSite=None; Partitioned')
  },
  {
    hertz: 'TestRequestContext_SetCookiePathEmpty',
    run: c => { c.setCookie('user', 'hertz', 1, '', 'localhost', CookieSameSiteDisabled, true, true) },
    check: (t, r) => sameCookie(t, r.headers['set-cookie'], 'user=hertz; max-age=1; domain=localhost; path=/; HttpOnly; secure')
  },
  {
    hertz: 'TestRequestContext_VisitAll/VisitAllQueryArgs',
    query: '?cloudwego=hertz&hello=world',
    run: c => { const s: string[] = []; c.visitAllQueryArgs((k, v) => s.push(k, v)); return { s } },
    want: { s: ['cloudwego', 'hertz', 'hello', 'world'] }
  },
  {
    hertz: 'TestRequestContext_VisitAll/VisitAllPostArgs',
    method: 'POST',
    headers: FORM,
    body: 'cloudwego=hertz&hello=world',
    run: c => { const s: string[] = []; c.visitAllPostArgs((k, v) => s.push(k, v)); return { s } },
    want: { s: ['cloudwego', 'hertz', 'hello', 'world'] }
  },
  {
    hertz: 'TestRequestContext_VisitAll/VisitAllCookie',
    headers: { Cookie: 'aaa=bbb;ccc=ddd' },
    run: c => { const s: string[] = []; c.visitAllCookie((k, v) => s.push(k, v)); return { s } },
    want: { s: ['aaa', 'bbb', 'ccc', 'ddd'] }
  },
  {
    hertz: 'TestRequestContext_VisitAll/VisitAllHeaders (§1 item 4)',
    headers: { xxx: 'yyy', xxx2: 'yyy2' },
    run: c => { const s: string[] = []; c.visitAllHeaders((k, v) => { if (k.startsWith('X')) s.push(k, v) }); return { s } },
    want: { s: ['Xxx', 'yyy', 'Xxx2', 'yyy2'] }
  },
  { hertz: '§1 item 5: c.cookie() strips the quotes of a="quoted value"', headers: { Cookie: 'a="quoted value"; b=plain' }, run: c => ({ a: c.cookie('a'), b: c.cookie('b') }), want: { a: 'quoted value', b: 'plain' } }
]

function sameCookie (t: Test, got: string | undefined, hertz: string): void {
  t.equal(got, hertz, "Set-Cookie is Hertz's, byte for byte")
}

t.test('pkg/app/context_test.go, case by case over real sockets', async t => {
  const h = New()
  const outs = new Map<number, Out>()
  cases.forEach((k, i) => {
    h.handle(k.method ?? 'GET', k.route?.[0] ?? `/t/${i}`, ...(k.before ?? []), async function caseHandler (_ctx, c) {
      const out = await k.run(c)
      if (out !== undefined) { outs.set(i, out); c.json(200, out) }
    })
  })
  h.handle('GET', '/named', testFunc2)
  const { port } = await start(t, h)
  for (const [i, k] of cases.entries()) {
    await t.test(k.hertz, async t => {
      const res = await send(t, port, buildRequest(k.method ?? 'GET', (k.route?.[1] ?? `/t/${i}`) + (k.query ?? ''), k.headers, k.body))
      const out = outs.get(i) ?? {}
      if (k.want !== undefined) { t.equal(res.status, 200, res.body); t.same(out, k.want) }
      k.check?.(t, res, out)
    })
  }
})

t.test('TestClientIP and TestSetClientIPFunc: defaults, trusted CIDRs, engine-wide function', async t => {
  const h = New()
  let fn: ((c: RequestContext) => string) | null = null
  h.GET('/ip', (_ctx, c) => { c.string(200, fn === null ? c.clientIP() : fn(c)) })
  const { port } = await start(t, h)
  const both = { 'X-Real-IP': ' 10.10.10.10  ', 'X-Forwarded-For': '  20.20.20.20, 30.30.30.30' }
  const ip = async (headers: Record<string, string>): Promise<string> => (await send(t, port, buildRequest('GET', '/ip', headers))).body
  t.equal(await ip(both), '20.20.20.20', 'default: X-Forwarded-For first')
  t.equal(await ip({ 'X-Real-IP': ' 10.10.10.10  ' }), '10.10.10.10', 'then X-Real-IP')
  t.equal(await ip({ 'X-Real-IP': ' 10.10.10.10  ', 'X-Forwarded-For': '30.30.30.30  ' }), '30.30.30.30')
  t.equal(await ip({}), '127.0.0.1', 'then the peer')
  fn = clientIPWithOption({ remoteIPHeaders: ['X-Forwarded-For', 'X-Real-IP'], trustedCIDRs: [] })
  t.equal(await ip(both), '127.0.0.1', 'no trusted CIDRs: headers ignored')
  fn = clientIPWithOption({ remoteIPHeaders: ['X-Forwarded-For', 'X-Real-IP'], trustedCIDRs: ['30.30.30.30/32'] })
  t.equal(await ip(both), '127.0.0.1', 'the peer is not trusted')
  fn = clientIPWithOption({ remoteIPHeaders: ['X-Forwarded-For', 'X-Real-IP'], trustedCIDRs: ['127.0.0.1/32'] })
  t.equal(await ip(both), '30.30.30.30', 'trusted peer: the last untrusted hop')
  fn = clientIPWithOption({ remoteIPHeaders: ['X-Forwarded-For'], trustedCIDRs: ['127.0.0.1', '30.30.30.0/24'] })
  t.equal(await ip(both), '20.20.20.20', 'trusted proxies are walked past')
  t.equal(await ip({ 'X-Forwarded-For': '1.1.1.1, not-an-ip' }), '127.0.0.1', 'a list with a non-IP is unusable')
  t.throws(() => clientIPWithOption({ remoteIPHeaders: [], trustedCIDRs: ['10.0.0.0/33'] }), { code: 'HERTZ_ERR_BAD_OPTION' })
  fn = null
  h.setClientIPFunc(() => 'engine-wide')
  t.equal(await ip(both), 'engine-wide', 'h.setClientIPFunc replaces the default for every request')
})

t.test('TestRequestBodyStream: the request stream under withStreamBody', async t => {
  const { server } = await import('../index.js')
  const h = New(server.withStreamBody(true))
  h.POST('/s', async (_ctx, c) => {
    const chunks: Buffer[] = []
    for await (const chunk of c.requestBodyStream()) chunks.push(chunk as Buffer)
    c.string(200, Buffer.concat(chunks).toString())
  })
  const { port } = await start(t, h)
  t.equal((await send(t, port, buildRequest('POST', '/s', {}, 'testRequestBodyStream'))).body, 'testRequestBodyStream')
})

t.test('TestFinished TestContextReset TestReset : finished() resolves once the request is over; no state crosses requests', async t => {
  const h = New()
  let finished: Promise<void> | null = null
  let resolvedEarly = false
  h.GET('/f', (_ctx, c) => {
    finished = c.finished()
    void finished.then(() => { resolvedEarly = !c.isResponseTaken() && false })
    const seen = { errors: c.errors.length, key: c.get('foo') ?? null, index: c.getIndex() }
    c.error(new Error('test'))
    c.set('foo', 'bar')
    c.json(200, seen)
  })
  const { port } = await start(t, h)
  const a = await send(t, port, buildRequest('GET', '/f'))
  t.ok(finished !== null)
  await finished
  t.notOk(resolvedEarly)
  const b = await send(t, port, buildRequest('GET', '/f'))
  t.same(JSON.parse(a.body), { errors: 0, key: null, index: 0 })
  t.same(JSON.parse(b.body), JSON.parse(a.body), 'a second request starts clean')
})

t.test('TestHijack: hijack() on an upgrade request marks it hijacked', async t => {
  const h = New()
  h.GET('/up', (_ctx, c) => {
    c.setStatusCode(101)
    c.header('Upgrade', 'x-test')
    c.header('Connection', 'Upgrade')
    const before = c.hijacked()
    c.hijack(async conn => { await conn.write(`before=${String(before)} after=${String(c.hijacked())}\n`); conn.close() })
  })
  const { port } = await start(t, h)
  const { rawExchange } = await import('@hertz-node/test-kit/raw-tcp')
  const { text } = await rawExchange(t, port, 'GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x-test\r\n\r\n')
  t.match(text, /^HTTP\/1\.1 101 /)
  t.match(text, /before=false after=true\n$/)
})

t.test('the ported file reads as Hertz: every case names its Hertz test', async t => {
  const src = readFileSync(new URL(import.meta.url), 'utf8')
  const hertzTests = (await readFile(join(HERE, 'testdata', 'context_test.names.txt'), 'utf8')).trim().split('\n')
  const departures = readFileSync(join(HERE, '..', '..', 'README.md'), 'utf8')
  const missing = hertzTests.filter(name => !src.includes(`'${name}`) && !src.includes(`${name} `) && !departures.includes('`' + name + '`'))
  t.same(missing, [], 'each Hertz test is ported here or stands in the README departures table')
})
