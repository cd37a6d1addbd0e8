/**
 * The server contract, checked once per variant before any load: `GET /hello` answers the exact
 * JSON, and `/echo` (WebSocket variants) echoes text, binary, empty and multi-frame-sized
 * messages with their type, then completes the close handshake.
 */
import { HELLO_BODY, ECHO_PATH, HELLO_PATH } from './servers/common.js'
import { closeSocket, openSocket } from './drivers/ws-client.js'
import type WebSocket from 'ws'

/** Problems with `GET /hello` at `baseUrl` (empty when it is right). */
export async function checkHello (baseUrl: string): Promise<string[]> {
  const res = await fetch(baseUrl + HELLO_PATH)
  const body = await res.text()
  const problems: string[] = []
  if (res.status !== 200) problems.push(`GET /hello: status ${res.status}`)
  const type = res.headers.get('content-type') ?? ''
  if (!type.startsWith('application/json')) problems.push(`GET /hello: content-type ${JSON.stringify(type)}`)
  if (body !== HELLO_BODY) problems.push(`GET /hello: body ${JSON.stringify(body.slice(0, 100))}`)
  return problems
}

const CASES: Array<{ data: Buffer, binary: boolean }> = [
  { data: Buffer.from('héllo wörld ✓'), binary: false },
  { data: Buffer.from(Array.from({ length: 256 }, (_, i) => i)), binary: true },
  { data: Buffer.alloc(0), binary: false },
  { data: Buffer.alloc(0), binary: true },
  { data: Buffer.alloc(70_000, 'x'), binary: false },
  { data: Buffer.alloc(200_000, 7), binary: true }
]

function nextMessage (ws: WebSocket, timeoutMs: number): Promise<{ data: Buffer, binary: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no echo within ${timeoutMs} ms`)) }, timeoutMs)
    const onMessage = (data: Buffer, binary: boolean): void => { cleanup(); resolve({ data, binary }) }
    const onClose = (code: number): void => { cleanup(); reject(new Error(`closed (${code}) before the echo`)) }
    const cleanup = (): void => {
      clearTimeout(timer)
      ws.off('message', onMessage)
      ws.off('close', onClose)
    }
    ws.on('message', onMessage)
    ws.on('close', onClose)
  })
}

/**
 * Problems with the `/echo` WebSocket at `wsBaseUrl` (empty when it is right). Messages go one
 * at a time, so a lost echo shows as a wait of `echoTimeoutMs` (ample on any machine).
 */
export async function checkEcho (wsBaseUrl: string, echoTimeoutMs = 10_000): Promise<string[]> {
  const ws = await openSocket(wsBaseUrl + ECHO_PATH)
  const problems: string[] = []
  try {
    for (const c of CASES) {
      const what = `${c.binary ? 'binary' : 'text'} ${c.data.length} B`
      ws.send(c.data, { binary: c.binary })
      const got = await nextMessage(ws, echoTimeoutMs)
      if (got.binary !== c.binary) problems.push(`echo of ${what} came back as ${got.binary ? 'binary' : 'text'}`)
      else if (!got.data.equals(c.data)) problems.push(`echo of ${what} came back altered (${got.data.length} B)`)
    }
  } catch (err) {
    problems.push(`echo: ${(err as Error).message}`)
  }
  const code = await closeSocket(ws)
  if (code !== 1000 && code !== 1005) problems.push(`close handshake ended with ${code}`)
  return problems
}
