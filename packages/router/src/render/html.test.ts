import t, { type Test } from 'tap'
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { start, Default } from '@hertz-node/test-kit/router'

function dir (t: Test, files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'hertz-html-'))
  t.teardown(() => { rmSync(d, { recursive: true, force: true }) })
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true })
    writeFileSync(join(d, name), text)
  }
  return d
}

// A page in the shape of hertz-contrib's chat example home.html: no template action, but CSS rules and a script
// full of braces, quotes and `<` that must come out byte for byte.
const CHAT_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<title>Chat</title>
<script type="text/javascript">
window.onload = function () {
    var log = document.getElementById("log");
    if (window["WebSocket"]) {
        var conn = new WebSocket("ws://" + document.location.host + "/ws");
        conn.onmessage = function (evt) { for (var i = 0; i < 3; i++) { log.append(evt.data); } };
    }
};
</script>
<style type="text/css">
body { overflow: hidden; padding: 0; }
#log { top: 0.5em; }
</style>
</head>
<body><div id="log"></div><form id="form"><input type="submit" value="Send" /></form></body>
</html>
`

t.test('the chat example: loadHTMLGlob("home.html"), c.html(200, "home.html", null)', async t => {
  const d = dir(t, { 'home.html': CHAT_PAGE })
  const h = Default()
  const cwd = process.cwd()
  process.chdir(d)
  try {
    h.loadHTMLGlob('home.html')
  } finally {
    process.chdir(cwd)
  }
  h.GET('/', (_ctx, c) => { c.html(200, 'home.html', null) })
  const { url } = await start(t, h)
  const r = await fetch(url + '/')
  t.equal(r.status, 200)
  t.equal(r.headers.get('content-type'), 'text/html; charset=utf-8')
  t.equal(await r.text(), CHAT_PAGE)
})

t.test('outputs are HTML-escaped; raw opts out', async t => {
  const d = dir(t, { 'page.html': '<h1>{{ title }}</h1><a title="{{ title }}">{{ user.name }}</a>{{ trusted | raw }}{% for x in list %}[{{ x }}]{% endfor %}' })
  const h = Default()
  h.loadHTMLFiles(join(d, 'page.html'))
  h.GET('/', (_ctx, c) => {
    c.html(200, 'page.html', { title: '<script>alert("x")</script>', user: { name: "O'Brien & co" }, trusted: '<b>ok</b>', list: ['<i>', 2] })
  })
  const { url } = await start(t, h)
  t.equal(await (await fetch(url + '/')).text(),
    '<h1>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</h1><a title="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;">O&#39;Brien &amp; co</a><b>ok</b>[&lt;i&gt;][2]')
})

t.test('Hertz html_rendering example: delims, setFuncMap, loadHTMLGlob over a folder, includes by name', async t => {
  const d = dir(t, {
    'tpl/index.tmpl': '<html><h1>{[{ title }]}</h1>{% include "footer.html" %}</html>',
    'tpl/template.html': 'Date: {[{ now | formatAsDate }]}',
    'tpl/footer.html': '<footer>{[{ title | upcase }]}</footer>',
    'tpl/sub/ignored.html': 'not matched by *'
  })
  const h = Default()
  h.delims('{[{', '}]}')
  h.setFuncMap({
    formatAsDate: (v: unknown) => {
      const d = v as Date
      return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`
    }
  })
  h.loadHTMLGlob(join(d, 'tpl', '*'))
  h.GET('/index', (_ctx, c) => { c.html(200, 'index.tmpl', { title: 'Main website' }) })
  h.GET('/raw', (_ctx, c) => { c.html(200, 'template.html', { now: new Date(Date.UTC(2017, 6, 1)) }) })
  h.GET('/missing', (_ctx, c) => { c.html(200, 'ignored.html', {}) })
  h.GET('/legacy', (_ctx, c) => { c.html(200, '<p>a string of HTML</p>') })
  const { url, logger } = await start(t, h)
  t.equal(await (await fetch(url + '/index')).text(), '<html><h1>Main website</h1><footer>MAIN WEBSITE</footer></html>')
  t.equal(await (await fetch(url + '/raw')).text(), 'Date: 2017/07/01')
  const missing = await fetch(url + '/missing')
  t.equal(missing.status, 500)
  t.match(logger.text(), /HERTZ_ERR_TEMPLATE_NOT_FOUND|"ignored.html" is undefined/)
  t.equal(await (await fetch(url + '/legacy')).text(), '<p>a string of HTML</p>', 'two arguments and no such template: the HTML itself')
})

t.test('loading fails loudly: no match, a template that does not parse, an unknown function', async t => {
  const d = dir(t, { 'bad.html': '{% if %}', 'fn.html': '{{ x | nosuchfn }}' })
  const h = Default()
  t.throws(() => { h.loadHTMLGlob(join(d, '*.none')) }, { code: 'HERTZ_ERR_TEMPLATE_NOT_FOUND' })
  t.throws(() => { h.loadHTMLFiles(join(d, 'bad.html')) })
  t.throws(() => { h.loadHTMLFiles(join(d, 'fn.html')) })
  t.throws(() => { h.loadHTMLFiles(join(d, 'absent.html')) })
  t.ok(readFileSync(join(d, 'bad.html')))
})
