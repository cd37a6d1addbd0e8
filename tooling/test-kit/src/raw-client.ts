/**
 * A raw WebSocket client over a plain `net` socket, for feeding malformed input: it completes the handshake
 * and parses the server's (unmasked) frames.
 */
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { takeFrame, type RawFrame } from './frames.js'
import { handshakeHeaders, KEY, rawRequest } from './handshake.js'
import type { Teardown } from './teardown.js'

/**
 * A raw client: a `net` socket that has completed the handshake, with a parser for the server's
 * (unmasked) frames.
 */
export class RawClient {
  readonly socket: Socket
  readonly response: string
  private buffered: Buffer
  private waiting: (() => void) | null = null
  private ended = false

  private constructor (socket: Socket, response: string, rest: Buffer) {
    this.socket = socket
    this.response = response
    this.buffered = rest
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      this.wake()
    })
    socket.on('close', () => {
      this.ended = true
      this.wake()
    })
  }

  /**
   * Connects, sends the handshake followed by `extra` bytes in the same write, and waits for the 101.
   *
   * @param t - the test
   * @param port - the server's port
   * @param extra - bytes sent right behind the request (frames that end up in `head`)
   * @param headers - extra request header lines
   * @param path - the request target (the matrix servers serve `/echo`)
   */
  static async connect (
    t: Teardown,
    port: number,
    extra: Buffer = Buffer.alloc(0),
    headers: string[] = [],
    path = '/echo'
  ): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    t.teardown(() => socket.destroy())
    await once(socket, 'connect')
    const request = rawRequest(`GET ${path} HTTP/1.1`, handshakeHeaders(`127.0.0.1:${port}`, {}, KEY).concat(headers))
    socket.write(Buffer.concat([Buffer.from(request), extra]))
    let data = Buffer.alloc(0)
    for (;;) {
      const [chunk] = (await once(socket, 'data')) as [Buffer]
      data = Buffer.concat([data, chunk])
      const end = data.indexOf('\r\n\r\n')
      if (end !== -1) {
        socket.pause()
        const client = new RawClient(socket, data.subarray(0, end).toString(), data.subarray(end + 4))
        socket.resume()
        return client
      }
    }
  }

  /** Sends raw bytes. */
  send (bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** The next frame from the server, or `null` once the connection closed. */
  async readFrame (): Promise<RawFrame | null> {
    for (;;) {
      const frame = this.parse()
      if (frame !== null) return frame
      if (this.ended) return null
      await new Promise<void>((resolve) => {
        this.waiting = resolve
      })
    }
  }

  /** Resolves when the server has closed the TCP connection. */
  async closed (): Promise<void> {
    while (!this.ended) {
      await new Promise<void>((resolve) => {
        this.waiting = resolve
      })
    }
  }

  private wake (): void {
    const waiting = this.waiting
    this.waiting = null
    waiting?.()
  }

  private parse (): RawFrame | null {
    const taken = takeFrame(this.buffered)
    if (taken === null) return null
    this.buffered = taken[1]
    return taken[0]
  }
}
