/**
 * Test support: a `ws` client that keeps every message and the close in order, so a test can await "the next
 * message" or "the close" without racing the socket's events.
 */
import { once } from 'node:events'
import WebSocket, { type ClientOptions } from 'ws'

/** A received message: its bytes and whether it came as a binary message. */
export type Received = [data: Buffer, isBinary: boolean]

/** How the connection ended: the close code and reason the client saw. */
export type Closed = [code: number, reason: string]

/** A connected client with a queue of what it received. */
export class Client {
  readonly ws: WebSocket
  /** Settles when the connection has closed, with the code and reason. */
  readonly closed: Promise<Closed>
  private readonly queue: Received[] = []
  private readonly waiters: Array<() => void> = []
  private ended: Closed | null = null

  private constructor (ws: WebSocket) {
    this.ws = ws
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.queue.push([data, isBinary])
      this.wake()
    })
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        this.ended = [code, reason.toString()]
        this.wake()
        resolve(this.ended)
      })
    })
    // A failed connection also ends in 'close'; the error itself is the test's to look at through the close.
    ws.on('error', () => {})
  }

  /** Connect to `url`; rejects if the handshake fails. */
  static async open (url: string, options: ClientOptions = {}): Promise<Client> {
    const ws = new WebSocket(url, options)
    const client = new Client(ws)
    await once(ws, 'open')
    return client
  }

  private wake (): void {
    for (const wake of this.waiters.splice(0)) wake()
  }

  /** The next message; rejects when the connection closes first. */
  async next (): Promise<Received> {
    for (;;) {
      const message = this.queue.shift()
      if (message !== undefined) return message
      if (this.ended !== null) throw new Error(`closed (${this.ended[0]} ${this.ended[1]}) before a message came`)
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  /** The next message as text; rejects when it is binary or the connection closes first. */
  async text (): Promise<string> {
    const [data, isBinary] = await this.next()
    if (isBinary) throw new Error(`expected a text message, got binary ${data.toString('hex')}`)
    return data.toString('utf8')
  }

  /** Close the socket at once (teardown). */
  terminate (): void {
    this.ws.terminate()
  }
}
