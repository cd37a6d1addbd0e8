/**
 * `--redis URL`: one chat room across processes. Each instance publishes what its clients send to one Redis
 * channel and delivers to its own clients what the other instances published there. Its own clients get its
 * messages at once, never through Redis, so local delivery does not depend on Redis being up; the instance
 * id in front of each published message lets an instance skip its own messages when Redis echoes them.
 *
 * node-redis (`redis`), Redis' own client: it reconnects by itself (`reconnectStrategy`), and re-subscribes
 * its subscriber connection after a reconnect.
 */
import { randomBytes } from 'node:crypto'
import { createClient } from 'redis'
import { log } from '@hertz-node/example-support/log'
import type { Hub, Relay } from './hub.js'

/** The channel every chat instance uses. */
export const channel = 'hertz-node:chat'

const ID_LENGTH = 8

/** The longest wait between reconnect attempts. */
const maxRetryDelay = 2000

/** A connected relay: `hub.relay` while the process runs; `close()` on shutdown. */
export interface RedisRelay extends Relay {
  close (): Promise<void>
}

/**
 * Connects `hub` to the Redis at `url` in the background: a Redis that is down now (or later) is retried,
 * and the hub delivers locally meanwhile.
 */
export function connectRelay (hub: Hub, url: string): RedisRelay {
  const id = randomBytes(ID_LENGTH)
  const options = {
    url,
    // A publish while Redis is away fails at once instead of waiting in a queue: the local clients have the
    // message already, and a late copy for the others would arrive out of order.
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, maxRetryDelay) }
  }
  const publisher = createClient(options)
  const subscriber = createClient(options)
  // One line when Redis goes away and one when it is back, not one per failed attempt. null: never connected.
  let up: boolean | null = null
  const failed = (err: Error): void => {
    if (up === false) return
    log.printf(up === null
      ? 'redis: cannot connect to %s (%v); delivering locally, retrying'
      : 'redis: connection to %s lost (%v); delivering locally, reconnecting', url, err.message || err)
    up = false
  }
  const ready = (): void => {
    if (up === true) return
    up = true
    log.printf('redis: connected to %s, channel %s', url, channel)
  }
  publisher.on('error', failed)
  subscriber.on('error', failed)
  // The first time, once subscribed; after a reconnect node-redis subscribes again by itself.
  subscriber.on('ready', () => { if (up === false) ready() })

  publisher.connect().catch((err: unknown) => log.printf('redis: %v', err))
  subscriber.connect()
    .then(() => subscriber.subscribe(channel, (message: Buffer) => {
      if (message.length < ID_LENGTH || message.subarray(0, ID_LENGTH).equals(id)) return
      hub.deliver(message.subarray(ID_LENGTH))
    }, true))
    .then(ready)
    .catch((err: unknown) => log.printf('redis: %v', err))

  return {
    publish (message: Buffer): void {
      if (!publisher.isReady) return
      publisher.publish(channel, Buffer.concat([id, message])).catch((err: unknown) => {
        log.printf('redis: publish: %v', err)
      })
    },
    async close (): Promise<void> {
      publisher.destroy()
      subscriber.destroy()
    }
  }
}
