/**
 * What hertz-contrib's and gorilla's `examples/filewatch/main.go` share, line by line: the constants,
 * `readFileIfModified`, `reader`, `writer` and the page. `legacy.ts` and `adaptor.ts` hold what differs.
 * The watched file is passed in where Go reads its package-level `filename`.
 */
import { readFile, stat } from 'node:fs/promises'
import { PingMessage, TextMessage, type Conn } from '@hertz-node/ws-compat'
import { Ticker, select } from '@hertz-node/example-support/time'

/** Time allowed to write the file to the client. */
export const writeWait = 10 * 1000

/** Time allowed to read the next pong message from the client. */
export const pongWait = 60 * 1000

/** Send pings to client with this period. Must be less than pongWait. */
export const pingPeriod = (pongWait * 9) / 10

/**
 * Poll file for changes with this period. Go's is a constant 10 s; `FILEWATCH_FILE_PERIOD_MS` may shorten it so
 * that the tests need not wait out two polls of 10 s each.
 */
export const filePeriod = periodFromEnv(process.env.FILEWATCH_FILE_PERIOD_MS, 10 * 1000)

/** A period in ms from the environment: a positive integer, else `fallback`. */
function periodFromEnv (value: string | undefined, fallback: number): number {
  const ms = Number(value)
  return value !== undefined && Number.isSafeInteger(ms) && ms > 0 ? ms : fallback
}

/** A file time as Go's `time.Time` in these examples: nanoseconds since the Unix epoch (`UnixNano`). */
export type Time = bigint

/** Go's zero `time.Time{}`: earlier than any time an int64 of nanoseconds can hold. */
export const zeroTime: Time = -(1n << 64n)

function asError (err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

/** The file's content and time when it changed after `lastMod`; `null` content when it did not. */
export async function readFileIfModified (filename: string, lastMod: Time): Promise<[Buffer | null, Time, Error | null]> {
  let fi
  try {
    fi = await stat(filename, { bigint: true })
  } catch (err) {
    return [null, lastMod, asError(err)]
  }
  if (!(fi.mtimeNs > lastMod)) {
    return [null, lastMod, null]
  }
  let p: Buffer
  try {
    p = await readFile(filename)
  } catch (err) {
    return [null, fi.mtimeNs, asError(err)]
  }
  return [p, fi.mtimeNs, null]
}

/** Reads (and drops) what the client sends, so pongs are seen; ends the connection when reading fails. */
export async function reader (ws: Conn): Promise<void> {
  try {
    ws.setReadLimit(512)
    ws.setReadDeadline(Date.now() + pongWait)
    ws.setPongHandler(() => { ws.setReadDeadline(Date.now() + pongWait); return null })
    for (;;) {
      try {
        await ws.readMessage()
      } catch {
        break
      }
    }
  } finally {
    ws.close()
  }
}

/** Every `filePeriod`, sends the file if it changed (or an error once); every `pingPeriod`, a ping. */
export async function writer (ws: Conn, filename: string, lastMod: Time): Promise<void> {
  let lastError = ''
  const pingTicker = new Ticker(pingPeriod)
  const fileTicker = new Ticker(filePeriod)
  try {
    for (;;) {
      switch (await select(fileTicker, pingTicker)) {
        case 0: {
          let p: Buffer | null
          let err: Error | null

          [p, lastMod, err] = await readFileIfModified(filename, lastMod)

          if (err !== null) {
            const s = err.message
            if (s !== lastError) {
              lastError = s
              p = Buffer.from(lastError)
            }
          } else {
            lastError = ''
          }

          if (p !== null) {
            ws.setWriteDeadline(Date.now() + writeWait)
            try {
              await ws.writeMessage(TextMessage, p)
            } catch {
              return
            }
          }
          break
        }
        case 1:
          ws.setWriteDeadline(Date.now() + writeWait)
          try {
            await ws.writeMessage(PingMessage, Buffer.alloc(0))
          } catch {
            return
          }
      }
    }
  } finally {
    pingTicker.stop()
    fileTicker.stop()
    ws.close()
  }
}

/** Go's `strconv.ParseInt(s, 16, 64)`: `null` where Go returns an error. */
export function parseInt64Hex (s: string): bigint | null {
  if (!/^[+-]?[0-9a-fA-F]+$/.test(s)) return null
  // BigInt takes no sign with a 0x prefix: parse the digits, then apply the sign.
  const magnitude = BigInt('0x' + s.replace(/^[+-]/, ''))
  const n = s[0] === '-' ? -magnitude : magnitude
  return n < -(1n << 63n) || n >= 1n << 63n ? null : n
}

/** The `lastMod` of a `/ws` request: its hex nanoseconds, or the zero time when absent or malformed. */
export function lastModOf (value: string): Time {
  let lastMod = zeroTime
  const n = parseInt64Hex(value)
  if (n !== null) {
    lastMod = n
  }
  return lastMod
}

/** The page's data, Go's anonymous struct `{Host, Data, LastMod}`. */
export interface HomeData {
  host: string
  data: string
  lastMod: string
}

/** The page's data for the watched file: its content and time, or the error and time 0. */
export async function homeData (host: string, filename: string): Promise<HomeData> {
  let [p, lastMod, err] = await readFileIfModified(filename, zeroTime)
  if (err !== null) {
    p = Buffer.from(err.message)
    lastMod = 0n
  }
  return { host, data: (p ?? '').toString(), lastMod: lastMod.toString(16) }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;', '\0': '\uFFFD' }

/** html/template's escaping of text in an element. */
function escapeHTML (s: string): string {
  return s.replace(/[&<>"'\0]/g, (ch) => HTML_ESCAPES[ch] as string)
}

/** html/template's escaping inside a JS string in a `<script>`: only plainly safe characters stay as they are. */
function escapeJSString (s: string): string {
  return s.replace(/[^A-Za-z0-9 .,:_-]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'))
}

/** Go's `homeTempl`, with each value escaped for where it lands, as `html/template` does. */
export const homeTempl = {
  /** Write the page for `v` to `w` (a `ServerResponse` or a `RequestContext`). */
  execute (w: { write (chunk: string): unknown }, v: HomeData): void {
    w.write(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>WebSocket Example</title>
</head>
<body>
<pre id="fileData">${escapeHTML(v.data)}</pre>
<script>
(function () {
  var data = document.getElementById('fileData')
  var conn = new WebSocket('ws://${escapeJSString(v.host)}/ws?lastMod=${escapeJSString(v.lastMod)}')
  conn.onclose = function () { data.textContent = 'Connection closed' }
  conn.onmessage = function (evt) {
    console.log('file updated')
    data.textContent = evt.data
  }
})()
</script>
</body>
</html>
`)
  }
}
