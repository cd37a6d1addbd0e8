/**
 * The echo client, a line-by-line twin of gorilla/websocket's examples/echo/client.go: it connects to
 * `ws://<addr>/echo`, prints every message it receives, sends the time every second, and on Ctrl-C (or
 * SIGTERM) sends a close frame and waits (at most a second) for the server to close. It works against all
 * three echo servers.
 * Run: `pnpm echo:client [--addr host:port]`.
 */
import { setInterval, setTimeout } from 'node:timers/promises'
import {
  CloseMessage,
  CloseNormalClosure,
  DefaultDialer,
  TextMessage,
  formatCloseMessage,
  type Conn
} from '@hertz-node/ws-compat'
import { flag } from '@hertz-node/example-support/flag'
import { log } from '@hertz-node/example-support/log'

const addr = flag.string('addr', 'localhost:8080', 'http service address')

async function main (): Promise<void> {
  flag.parse()
  log.setFlags(0)

  // Go's signal.Notify(interrupt, os.Interrupt): listening replaces the default "exit at once". SIGTERM (what
  // process managers and `kill` send) gets the same clean close instead of dying without a close frame.
  const interrupt = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })

  const u = new URL(`ws://${addr.value}/echo`)
  log.printf('connecting to %s', u.toString())

  let c: Conn
  try {
    [c] = await DefaultDialer.dial(u.toString(), null)
  } catch (err) {
    log.fatal('dial:', err)
  }

  // The reader runs concurrently, as the Go goroutine does; `done` settles when it stops.
  const done = (async () => {
    for (;;) {
      let message: Buffer
      try {
        [, message] = await c.readMessage()
      } catch (err) {
        log.println('read:', err)
        return
      }
      log.printf('recv: %s', message)
    }
  })()

  const ticker = setInterval(1000)[Symbol.asyncIterator]()
  try {
    // Go's `for { select { ... } }` over the three channels: reader done, a tick, an interrupt.
    let tick = ticker.next()
    for (;;) {
      const event = await Promise.race([
        done.then(() => 'done' as const),
        tick.then(() => 'tick' as const),
        interrupt.then(() => 'interrupt' as const)
      ])
      if (event === 'done') return
      if (event === 'tick') {
        tick = ticker.next()
        try {
          await c.writeMessage(TextMessage, new Date().toISOString())
        } catch (err) {
          log.println('write:', err)
          return
        }
        continue
      }
      log.println('interrupt')

      // Cleanly close the connection by sending a close message and then
      // waiting (with timeout) for the server to close the connection.
      try {
        await c.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, ''))
      } catch (err) {
        log.println('write close:', err)
        return
      }
      const timeout = new AbortController()
      await Promise.race([done, setTimeout(1000, undefined, { signal: timeout.signal }).catch(() => {})])
      timeout.abort()
      return
    }
  } finally {
    await ticker.return?.()
    c.close()
  }
}

// Returning from Go's main ends the program whatever else is running; exit explicitly to match.
main().then(() => process.exit(0), (err: unknown) => log.fatal(err))
