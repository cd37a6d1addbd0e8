/**
 * The shape every server under test shares, whichever path builds it: an echo WebSocket endpoint, a plain
 * HTTP route, and the few server-side observations a test needs (live connections, handler errors).
 */
import type { EventEmitter } from 'node:events'
import type { Hertz, HandlerFunc } from '@hertz-node/router'
import type { PathName as KitPathName } from '@hertz-node/test-kit/matrix'

/** The ways a WebSocket is served here: the reference (`bare-ws`, `ws` alone) and the two paths under test. */
export type PathName = Extract<KitPathName, 'bare-ws' | 'legacy' | 'recommended'>

/** Per-route extras of a WebSocket route. */
export interface RouteExtra {
  /** Headers for the 101 (`responseHeader` of the recommended upgrader, `c.response.header` on the legacy path). */
  responseHeader?: Record<string, string>
}

/** What a test may ask of the app it starts. */
export interface AppOptions {
  /** Path of the echo endpoint; default `/ws`. */
  wsPath?: string
  /** Read limit applied to each connection before the first read (bytes). */
  readLimit?: number
  /** Extra options handed to the upgrader (checkOrigin, subprotocols, ...). */
  upgrader?: Record<string, unknown>
  /** Router server options, e.g. timeouts, passed to `server.New`. */
  serverOptions?: unknown[]
  /** Write timeout (ms) set on each connection's netConn before the handler starts. */
  writeTimeoutMs?: number
  /** Adds routes after the standard ones; `wsRoute()` builds this path's WebSocket echo route. */
  setup?: (h: Hertz, wsRoute: (extra?: RouteExtra) => HandlerFunc) => void
}

/** A started server. */
export interface ServerUnderTest {
  name: PathName
  port: number
  /** `127.0.0.1:<port>`, the value a same-origin Origin must carry. */
  host: string
  wsPath: string
  /** Errors the WebSocket handler ended with (kept for diagnostics and assertions). */
  handlerErrors: unknown[]
  /** Errors `upgrade` rejected with (refused handshakes). */
  upgradeErrors: unknown[]
  /** WebSockets currently open on the server side. */
  liveConns: () => number
  /** Ends every `hold` command: the handlers read again. */
  release: () => void
  /** Bytes the `flood` command handed to sockets so far. */
  flooded: () => number
  /** Emitters whose listener counts must come back to baseline. */
  emitters: Record<string, EventEmitter>
  close: () => Promise<void>
}
