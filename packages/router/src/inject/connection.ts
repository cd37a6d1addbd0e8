import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { loadPlugins } from '../routing/plugin.js'
import { createNodeServer } from '../server/node-server.js'
import type { InjectHost } from './inject.js'
import { memorySocketPair } from './memory-socket.js'
import { kServeUpgrade } from '../symbols.js'

// In-memory connections: node:http parses what the client end sends exactly as on the engine's own server (same
// limits, same answers to bad input) and hands requests and upgrades to the engine; the server never listens.

/** What an in-memory connection needs of the engine (the Engine is one). */
export type ConnectionHost = InjectHost & {
  [kServeUpgrade]: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
}

// One never-listening node:http server per engine, made on first use.
const servers = new WeakMap<object, Server>()

function serverOf (host: ConnectionHost): Server {
  let server = servers.get(host)
  if (server === undefined) {
    server = createNodeServer(host.options, {
      onRequest: (req: IncomingMessage, res: ServerResponse) => { void host.handleRequest(req, res) },
      onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => { host[kServeUpgrade](req, socket, head) }
    })
    servers.set(host, server)
  }
  return server
}

/**
 * Opens a connection to `host` in memory, once its plugins are loaded (a failing plugin rejects with its
 * `HERTZ_ERR_PLUGIN_*` error). Resolves with the client end; the server end is served as an accepted connection.
 */
export async function injectConnection (host: ConnectionHost): Promise<Duplex> {
  await loadPlugins(host)
  const [client, server] = memorySocketPair()
  serverOf(host).emit('connection', server)
  return client
}
