/**
 * `ws-raw-loop` (diagnostic, run only when named): bare `ws` served the way the gorilla-style API serves a
 * connection - one async loop per connection that awaits its next message - with the smallest queue that
 * can feed such a loop. It prices the blocking-read model itself, without ws-compat, so the memory of the
 * ws-compat variants can be split into what the model costs and what the implementation adds.
 */
import type { RawData, WebSocket } from 'ws'
import { ignoreError, sendOptions, startBareWs } from './common.js'
import type { StartServer } from './types.js'

type Message = [data: Buffer, isBinary: boolean]

// What a read after the close rejects with. Made once, so that the end of a connection costs no stack-trace
// capture: this variant is the floor of the awaiting model, and ws-compat's close errors carry no stack either.
const CLOSED = new Error('closed')

/** Messages not read yet, and the read waiting for the next one. */
class Inbox {
  private readonly items: Message[] = []
  private waiter: { resolve: (m: Message) => void, reject: (err: Error) => void } | null = null
  private closed = false

  push (data: RawData, isBinary: boolean): void {
    const message: Message = [data as Buffer, isBinary]
    const waiter = this.waiter
    if (waiter === null) {
      this.items.push(message)
      return
    }
    this.waiter = null
    waiter.resolve(message)
  }

  close (): void {
    this.closed = true
    this.waiter?.reject(CLOSED)
    this.waiter = null
  }

  next (): Promise<Message> {
    const first = this.items.shift()
    if (first !== undefined) return Promise.resolve(first)
    if (this.closed) return Promise.reject(CLOSED)
    return new Promise((resolve, reject) => { this.waiter = { resolve, reject } })
  }
}

function send (ws: WebSocket, data: Buffer, isBinary: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.send(data, sendOptions(isBinary), (err) => { if (err == null) resolve(); else reject(err) })
  })
}

async function serve (ws: WebSocket): Promise<void> {
  const inbox = new Inbox()
  ws.on('message', (data: RawData, isBinary: boolean) => inbox.push(data, isBinary))
  ws.on('close', () => inbox.close())
  ws.on('error', ignoreError)
  try {
    for (;;) {
      const [data, isBinary] = await inbox.next()
      await send(ws, data, isBinary)
    }
  } catch {
    // Closed: the loop is over.
  }
}

export const start: StartServer = (host, port) => startBareWs(host, port, (ws) => { void serve(ws) })
