/** The echo loop of both ws-compat variants, as the gorilla and hertz-contrib examples write it. */
import type { Conn } from '@hertz-node/ws-compat'

/** Sends every message back with its type until the peer closes, then closes. */
export async function echoConn (conn: Conn): Promise<void> {
  try {
    for (;;) {
      const [messageType, data] = await conn.readMessage()
      await conn.writeMessage(messageType, data)
    }
  } catch {
    // The peer closed or broke the protocol: the loop is over, as in the examples (minus their logging).
  } finally {
    conn.close()
  }
}
