/**
 * The echo home page, shared by every echo server: a tiny browser client with Open / Send / Close buttons,
 * a message input and an output log. The WebSocket URL is the only dynamic part; it is rendered into an
 * HTML attribute (escaped) and read back by the script, so no request data ever lands in script context.
 */

/** Anything the page can be written to: a Node `ServerResponse`, a Hertz `RequestContext`, a stream. */
export interface TemplateWriter {
  write (chunk: string): unknown
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}

const HTML_SPECIAL = /[&<>"']/g

/** Escape text for an HTML text node or a quoted attribute value. */
export function escapeHTML (text: string): string {
  return text.replace(HTML_SPECIAL, (ch) => HTML_ESCAPES[ch] as string)
}

// The page is split once around the URL slot, so rendering is two concatenations and one escape.
const PAGE_HEAD = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>WebSocket echo</title>
<meta name="echo-ws-url" content="`

const PAGE_TAIL = `">
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; }
  main { display: flex; gap: 2rem; align-items: flex-start; }
  section { flex: 1; }
  #output { max-height: 70vh; overflow-y: auto; font-family: ui-monospace, monospace; white-space: pre-wrap; }
</style>
<script>
window.addEventListener('load', () => {
  const url = document.querySelector('meta[name="echo-ws-url"]').content
  const output = document.getElementById('output')
  const input = document.getElementById('input')
  let ws = null

  const print = (line) => {
    const row = document.createElement('div')
    row.textContent = line
    output.appendChild(row)
    output.scrollTop = output.scrollHeight
  }

  // Buttons live in a form only for layout; returning false keeps the page from submitting.
  document.getElementById('open').onclick = () => {
    if (ws) return false
    const socket = new WebSocket(url)
    ws = socket
    socket.onopen = () => print('OPEN')
    socket.onclose = () => {
      print('CLOSE')
      if (ws === socket) ws = null
    }
    socket.onmessage = (evt) => print('RESPONSE: ' + evt.data)
    socket.onerror = (evt) => print('ERROR: ' + (evt.message || 'connection to ' + url + ' failed'))
    return false
  }

  document.getElementById('send').onclick = () => {
    if (!ws) return false
    print('SEND: ' + input.value)
    ws.send(input.value)
    return false
  }

  document.getElementById('close').onclick = () => {
    if (!ws) return false
    ws.close()
    return false
  }
})
</script>
</head>
<body>
<main>
<section>
<p>Press "Open" to connect to the echo server, "Send" to send the message below, and "Close" to end the
connection. Edit the message and send it as often as you like.</p>
<form>
<button id="open">Open</button>
<button id="close">Close</button>
<p><input id="input" type="text" value="Hello world!">
<button id="send">Send</button></p>
</form>
</section>
<section>
<div id="output" aria-live="polite"></div>
</section>
</main>
</body>
</html>
`

/** Render the home page for the given WebSocket URL (e.g. `ws://localhost:8080/echo`). */
export function renderHome (wsURL: string): string {
  return PAGE_HEAD + escapeHTML(wsURL) + PAGE_TAIL
}

/**
 * The page as a template, shaped like Go's `homeTemplate.Execute(w, data)` so the servers read like their
 * Go originals: `homeTemplate.execute(w, 'ws://' + host + '/echo')`.
 */
export const homeTemplate = {
  /** Write the page for `wsURL` to `w`. */
  execute (w: TemplateWriter, wsURL: string): void {
    w.write(renderHome(wsURL))
  }
}
