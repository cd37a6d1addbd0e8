/**
 * Graceful WebSocket shutdown for the Hertz-style servers. Go's samples simply exit; here a server that stops
 * first tells each open connection it is going away (close 1001), so clients see a clean close at once instead
 * of a dropped socket after the shutdown grace period.
 */
import { CloseGoingAway, CloseMessage, formatCloseMessage, type Conn } from '@hertz-node/ws-compat'

/** How long a goodbye may take to reach one client before that connection is left to the forced close. */
const GOODBYE_DEADLINE_MS = 1000

/** The connections a server has open, so that a shutdown hook can close them politely. */
export class LiveConns {
  private readonly conns = new Set<Conn>()

  /** Start tracking `conn`; call the returned function when the connection's handler is done with it. */
  track (conn: Conn): () => void {
    this.conns.add(conn)
    return () => { this.conns.delete(conn) }
  }

  /** How many connections are open. */
  get size (): number {
    return this.conns.size
  }

  /**
   * Send close 1001 (going away) to every open connection. Each handler's read then fails with the client's
   * close reply and the handler ends as it does for any close; write errors (a peer already gone) are ignored.
   */
  async goingAway (): Promise<void> {
    const goodbye = formatCloseMessage(CloseGoingAway, 'server shutting down')
    const deadline = Date.now() + GOODBYE_DEADLINE_MS
    await Promise.all([...this.conns].map((conn) => conn.writeControl(CloseMessage, goodbye, deadline).catch(() => {})))
  }
}
