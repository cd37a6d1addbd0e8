/**
 * client.go: one connection between its peer and the hub, a read pump and a write pump. Go runs each pump
 * in a goroutine; here each is an async function that is not awaited by the other.
 */
import {
  CloseAbnormalClosure,
  CloseGoingAway,
  CloseMessage,
  PingMessage,
  TextMessage,
  isUnexpectedCloseError,
  type Conn,
  type MessageWriter
} from '@hertz-node/ws-compat'
import { log } from '@hertz-node/example-support/log'
import { Ticker } from '@hertz-node/example-support/time'
import { Chan, selectRecv } from './chan.js'
import type { Hub } from './hub.js'

/** Time allowed to write a message to the peer. */
export const writeWait = 10 * 1000
/** Time allowed to read the next pong message from the peer. */
export const pongWait = 60 * 1000
/** Send pings to peer with this period. Must be less than pongWait. */
export const pingPeriod = (pongWait * 9) / 10
/** Maximum message size allowed from peer. */
export const maxMessageSize = 512

const newline = Buffer.from('\n')

/** `bytes.TrimSpace(bytes.Replace(message, newline, space, -1))`, on bytes as in Go. */
function oneLine (message: Buffer): Buffer {
  const spaced = Buffer.from(message.map((b) => (b === 0x0a ? 0x20 : b)))
  let start = 0
  let end = spaced.length
  while (start < end && isSpace(spaced[start] as number)) start++
  while (end > start && isSpace(spaced[end - 1] as number)) end--
  return spaced.subarray(start, end)
}

function isSpace (b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d)
}

/** Client is a middleman between the websocket connection and the hub. */
export class Client {
  readonly hub: Hub
  /** The websocket connection. */
  readonly conn: Conn
  /** Buffered channel of outbound messages. */
  readonly send = new Chan<Buffer>(256)

  constructor (hub: Hub, conn: Conn) {
    this.hub = hub
    this.conn = conn
  }

  /** readPump pumps messages from the websocket connection to the hub. */
  async readPump (): Promise<void> {
    const c = this.conn
    try {
      c.setReadLimit(maxMessageSize)
      c.setReadDeadline(Date.now() + pongWait)
      c.setPongHandler(() => { c.setReadDeadline(Date.now() + pongWait) })
      for (;;) {
        let message: Buffer
        try {
          [, message] = await c.readMessage()
        } catch (err) {
          if (isUnexpectedCloseError(err, CloseGoingAway, CloseAbnormalClosure)) {
            log.printf('error: %v', err)
          }
          break
        }
        this.hub.broadcast(oneLine(message))
      }
    } finally {
      this.hub.unregister(this)
      c.close()
    }
  }

  /** writePump pumps messages from the hub to the websocket connection. */
  async writePump (): Promise<void> {
    const c = this.conn
    const ticker = new Ticker(pingPeriod)
    try {
      for (;;) {
        const received = await selectRecv(this.send, ticker)
        if (received !== null) {
          const [message, ok] = received
          c.setWriteDeadline(Date.now() + writeWait)
          if (!ok) {
            // The hub closed the channel.
            await c.writeMessage(CloseMessage, Buffer.alloc(0)).catch(() => {})
            return
          }
          let w: MessageWriter
          try {
            w = await c.nextWriter(TextMessage)
          } catch {
            return
          }
          try {
            await w.write(message as Buffer)
            // Add queued chat messages to the current websocket message.
            const n = this.send.length
            for (let i = 0; i < n; i++) {
              await w.write(newline)
              await w.write(this.send.tryReceive()?.[0] as Buffer)
            }
            await w.close()
          } catch {
            return
          }
        } else {
          c.setWriteDeadline(Date.now() + writeWait)
          try {
            await c.writeMessage(PingMessage, Buffer.alloc(0))
          } catch {
            return
          }
        }
      }
    } finally {
      ticker.stop()
      c.close()
    }
  }
}

/**
 * The body of serveWs once the connection is upgraded: register, then run both pumps. Resolves when both
 * ended, so that the legacy path, whose connection lives as long as its handler, keeps it that long.
 */
export async function serveClient (hub: Hub, conn: Conn): Promise<void> {
  const client = new Client(hub, conn)
  hub.register(client)
  await Promise.all([client.writePump(), client.readPump()])
}
