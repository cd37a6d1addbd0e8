/** What both apps share beyond hub.go and client.go: where the page is, and the `--redis` flag. */
import { fileURLToPath } from 'node:url'
import { flag } from '@hertz-node/example-support/flag'
import type { Hub } from './hub.js'
import { connectRelay, type RedisRelay } from './redis.js'

/** The chat page, beside `src/`. */
export const homeFile = fileURLToPath(new URL('../home.html', import.meta.url))

/** The `--redis` flag: unset, one process is the room; set, every instance on that Redis shares it. */
export function relayFlag (): { connect (hub: Hub): void, close (): Promise<void> } {
  const url = flag.string('redis', '', 'redis URL (redis://host:port) shared by the instances of one room')
  let relay: RedisRelay | null = null
  return {
    connect (hub: Hub): void {
      if (url.value === '') return
      relay = connectRelay(hub, url.value)
      hub.relay = relay
    },
    async close (): Promise<void> {
      await relay?.close()
    }
  }
}
