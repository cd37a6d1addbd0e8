/**
 * The echo server on fastify 5 + @fastify/websocket, written to sit next to legacy.ts and adaptor.ts: the same
 * flag, the same page on `GET /`, the same echo on `GET /echo` (each message goes back with its own type) and the
 * same logs. Run: `pnpm echo:fastify [--addr host:port]`.
 */
import { once } from 'node:events'
import { setTimeout } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import websocket from '@fastify/websocket'
import type { WebSocket } from 'ws'
import { flag } from '@hertz-node/example-support/flag'
import { renderHome } from './home.js'
import { log } from '@hertz-node/example-support/log'
import { joinHostPort, splitHostPort, type HostPort } from '@hertz-node/example-support/net'

const addr = flag.string('addr', 'localhost:8080', 'http service address')

function echo (conn: WebSocket): void {
  // ws delivers whole messages as events instead of a read loop; `isBinary` carries the message type.
  conn.on('message', (message, isBinary) => {
    log.printf('recv: %s', message)
    conn.send(message, { binary: isBinary }, (err) => {
      if (err != null) log.println('write:', err)
    })
  })
  conn.on('close', (code, reason) => {
    log.printf('read: close %d %s', code, reason)
  })
}

async function main (): Promise<void> {
  flag.parse()
  let listen: HostPort
  try {
    listen = splitHostPort(addr.value)
  } catch (err) {
    log.fatal('listen: ', err)
  }

  // Idle keep-alive sockets (browsers also open spare ones) must not hold the shutdown up.
  const app = Fastify({ forceCloseConnections: true })
  await app.register(websocket, {
    // Open connections get close 1001 (going away) with no reason on shutdown, as the Hertz-style servers send
    // it (the plugin's default close carries no status). Each close handshake gets a second before the socket
    // is dropped.
    preClose: async function (this: FastifyInstance) {
      const closing = [...this.websocketServer.clients].map((client) => {
        client.close(1001)
        const closed = once(client, 'close')
        return Promise.race([closed, setTimeout(1000, undefined, { ref: false })]).then(() => client.terminate())
      })
      await Promise.all(closing)
    }
  })

  app.get('/', (request, reply) => {
    reply.type('text/html; charset=utf-8').send(renderHome('ws://' + request.host + '/echo'))
  })
  app.get('/echo', { websocket: true }, echo)

  // An empty host means every interface, as in Go; fastify spells that '::' (which also accepts IPv4).
  await app.listen({ host: listen.host === '' ? '::' : listen.host, port: listen.port })
  const bound = app.server.address()
  if (bound !== null && typeof bound === 'object') {
    console.log(`HTTP server listening on address=${joinHostPort(bound.address, bound.port)}`)
  }

  let closing = false
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return
    closing = true
    log.println('shutdown:', signal)
    app.close().then(() => process.exit(0), (err: unknown) => log.fatal('close: ', err))
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

main().catch((err: unknown) => log.fatal('ListenAndServe: ', err))
