import t from 'tap'
import { escapeHTML, homeTemplate, renderHome } from './home.js'

t.test('escapeHTML escapes the five HTML specials and nothing else', async (t) => {
  t.equal(escapeHTML('a&b<c>d"e\'f'), 'a&amp;b&lt;c&gt;d&quot;e&#39;f')
  t.equal(escapeHTML('ws://localhost:8080/echo'), 'ws://localhost:8080/echo')
  t.equal(escapeHTML(''), '')
})

t.test('the page carries the ws URL, the three buttons and the default message', async (t) => {
  const page = renderHome('ws://127.0.0.1:8080/echo')
  t.match(page, /^<!DOCTYPE html>/)
  t.match(page, '<meta name="echo-ws-url" content="ws://127.0.0.1:8080/echo">')
  t.match(page, '<button id="open">Open</button>')
  t.match(page, '<button id="close">Close</button>')
  t.match(page, '<button id="send">Send</button>')
  t.match(page, '<input id="input" type="text" value="Hello world!">')
  t.match(page, '<div id="output"')
  for (const label of ["'OPEN'", "'SEND: '", "'RESPONSE: '", "'CLOSE'", "'ERROR: '"]) t.match(page, label)
})

t.test('a hostile Host cannot leave the attribute', async (t) => {
  const page = renderHome('ws://x"><script>alert(1)</script>/echo')
  t.match(page, 'content="ws://x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;/echo"')
  t.notMatch(page, '<script>alert(1)')
  // The URL appears exactly once: the script reads it from the attribute, never from inline text.
  t.equal(page.split('alert(1)').length, 2)
})

t.test('homeTemplate.execute writes the rendered page to any writer', async (t) => {
  const chunks: string[] = []
  homeTemplate.execute({ write: (chunk: string) => chunks.push(chunk) }, 'ws://h:1/echo')
  t.same(chunks, [renderHome('ws://h:1/echo')])
})
