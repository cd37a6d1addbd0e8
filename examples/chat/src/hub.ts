/**
 * hub.go: the set of clients and the broadcast to them. Go runs the hub in a goroutine fed by three
 * channels; here `register`, `unregister` and `broadcast` are the three cases of its `select`, called directly:
 * Node runs them one at a time, as the goroutine does.
 */
import type { Client } from './client.js'

/** Where the hub also sends what it broadcasts, and from where it hears other instances (see redis.ts). */
export interface Relay {
  /** Sends `message` to the other instances; never throws (a relay that is down logs and drops it). */
  publish (message: Buffer): void
}

/** Hub maintains the set of active clients and broadcasts messages to the clients. */
export class Hub {
  /** Registered clients. */
  readonly clients = new Set<Client>()
  /** Set by `--redis`: every broadcast also goes to the other instances. */
  relay: Relay | null = null

  /** `case client := <-h.register`. */
  register (client: Client): void {
    this.clients.add(client)
  }

  /** `case client := <-h.unregister`. */
  unregister (client: Client): void {
    if (this.clients.delete(client)) client.send.close()
  }

  /** `case message := <-h.broadcast`, plus the relay: local clients never wait for Redis. */
  broadcast (message: Buffer): void {
    this.deliver(message)
    this.relay?.publish(message)
  }

  /** To every local client; one whose send buffer is full is dropped, as in Go. */
  deliver (message: Buffer): void {
    for (const client of this.clients) {
      if (!client.send.trySend(message)) {
        client.send.close()
        this.clients.delete(client)
      }
    }
  }
}

/** `var hub = newHub()`. */
export function newHub (): Hub {
  return new Hub()
}
