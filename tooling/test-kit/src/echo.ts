/** The echo loop every WebSocket test server runs, as the gorilla and hertz-contrib examples write it. */
import type { Conn } from '@hertz-node/ws-compat'

/** Sends every message back with its type until the peer closes or breaks the protocol, then closes. */
export async function echo (conn: Conn): Promise<void> {
  try {
    for (;;) {
      const [mt, message] = await conn.readMessage()
      await conn.writeMessage(mt, message)
    }
  } catch {
    // read: the peer went away or closed; the examples log and break
  } finally {
    conn.close()
  }
}
