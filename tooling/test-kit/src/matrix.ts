/**
 * One test body, every way a WebSocket reaches an application (h3's `describeMatrix` idea). The paths are
 * named for what they are, in every suite:
 *   `legacy`                   the deprecated `HertzUpgrader` mounted in the router (`h.any('/echo', ...)`)
 *   `recommended`              the `Upgrader` in the router through `adaptor.handler`
 *   `upgrader-on-node-http`    the `Upgrader` in a plain `node:http` server, through `upgradeResponse`
 *   `server-conn-on-node-http` `newServerConn` behind a hand-written 101 on `node:http` (no upgrader; see conn-server.ts)
 *   `bare-ws`                  `ws`'s own `WebSocketServer`, no code of ours: the reliability suite's yardstick
 */
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { once } from 'node:events'
import t, { type Test } from 'tap'
import { server, type RequestContext } from '@hertz-node/router'
import { handler, upgradeResponse } from '@hertz-node/adaptor'
import { HertzUpgrader, Upgrader, type BufferPool, type Conn, type UpgraderOptions } from '@hertz-node/ws-compat'
import { echo } from './echo.js'
import type { Teardown } from './teardown.js'

/** Every path a WebSocket takes in these tests (see the module comment). */
export type PathName = 'legacy' | 'recommended' | 'upgrader-on-node-http' | 'server-conn-on-node-http' | 'bare-ws'

/** The paths an upgrader runs on: the two the router offers, and the `Upgrader` on plain `node:http`. */
export type UpgraderKind = 'legacy' | 'recommended' | 'upgrader-on-node-http'

/** The kinds every matrix test runs under. */
export const UPGRADER_KINDS: readonly UpgraderKind[] = ['legacy', 'recommended', 'upgrader-on-node-http']

/** A tap subtest. */
export type Tap = Test

/**
 * Runs `body` once per path (a name, or anything with a `name`) as subtests of `parent` named `title [name]`:
 * the one runner under both {@link describeMatrix} and the reliability suite's case tables.
 */
export function forEachPath<P extends string | { name: string }> (
  parent: Test,
  title: string,
  paths: readonly P[],
  body: (t: Test, path: P) => Promise<void>
): void {
  for (const path of paths) {
    void parent.test(`${title} [${typeof path === 'string' ? path : path.name}]`, (tt) => body(tt, path))
  }
}

/** The limit fields both upgraders share. */
export type Limits = Pick<UpgraderOptions, 'maxFragments' | 'maxBufferedChunks' | 'maxWriteQueueBytes'>

/** Options shared by both upgraders, mapped onto each one's own signatures. */
export interface MatrixOptions {
  readBufferSize?: number
  writeBufferSize?: number
  writeBufferPool?: BufferPool
  subprotocols?: string[]
  enableCompression?: boolean
  /** The upgraders' limit fields; their defaults when unset. */
  limits?: Limits
  /** An origin policy over the `Origin` header (undefined when absent); may throw or return a Promise. */
  checkOrigin?: (origin: string | undefined) => boolean | Promise<boolean>
  /**
   * Install an `error` callback that answers `status` with the reason text and `X-Reason-Status`; with
   * `'write'` (Upgrader kinds) it writes the text without ending the response.
   */
  customError?: boolean | 'write'
  /** Install an `error` callback that writes nothing and throws `error` (or returns it rejected). */
  failingError?: { mode: 'throw' | 'reject'; error: Error }
  /** Headers for the 101: `responseHeader` for Upgrader, headers set on `c.response` for HertzUpgrader. */
  responseHeader?: OutgoingHttpHeaders
  /** Runs with each connection; by default an echo loop that closes the connection at the end. */
  onConn?: (conn: Conn) => unknown
}

/** A running server under test. */
export interface MatrixServer {
  kind: UpgraderKind
  port: number
  /** `ws://127.0.0.1:port/echo` (or another path). */
  url(path?: string): string
  /** Every rejection `upgrade` returned, in order. */
  rejections: Error[]
  /** The next rejection (already recorded or still to come). */
  nextRejection(): Promise<Error>
  /** The router engine (legacy and recommended), for noHijackConnPool and friends. */
  engine: ReturnType<typeof server.New> | null
  /** Every TCP connection the server accepted, in order. */
  sockets: Socket[]
}

/**
 * Runs `fn` once per upgrader kind, as subtests named `title [kind]`.
 *
 * @param title - the behaviour under test
 * @param fn - the test body; `start` launches the server for this kind
 */
export function describeMatrix (
  title: string,
  fn: (t: Tap, kind: UpgraderKind, start: (opts?: MatrixOptions) => Promise<MatrixServer>) => Promise<void>
): void {
  forEachPath(t, title, UPGRADER_KINDS, (tt, kind) => fn(tt, kind, (opts) => startUpgraderServer(tt, kind, opts)))
}

/**
 * Starts a server for `kind` on 127.0.0.1 with an ephemeral port; closed at teardown.
 */
export async function startUpgraderServer (t: Teardown, kind: UpgraderKind, opts: MatrixOptions = {}): Promise<MatrixServer> {
  const rejections: Error[] = []
  const waiting: ((err: Error) => void)[] = []
  const reject = (err: Error): void => {
    rejections.push(err)
    waiting.shift()?.(err)
  }
  let taken = 0
  const nextRejection = (): Promise<Error> => {
    const i = taken++
    return i < rejections.length ? Promise.resolve(rejections[i]!) : new Promise((resolve) => waiting.push(resolve))
  }
  const onConn = opts.onConn ?? echo
  const sockets: Socket[] = []
  const track = (s: Socket): void => {
    sockets.push(s)
  }
  const failing = opts.failingError
  const fail = failing && ((): void | Promise<void> => {
    if (failing.mode === 'throw') throw failing.error
    return Promise.reject(failing.error)
  })
  const common = {
    readBufferSize: opts.readBufferSize ?? 0,
    writeBufferSize: opts.writeBufferSize ?? 0,
    writeBufferPool: opts.writeBufferPool,
    subprotocols: opts.subprotocols,
    enableCompression: opts.enableCompression ?? false,
    ...opts.limits,
  }

  if (kind === 'legacy') {
    const upgrader = new HertzUpgrader({
      ...common,
      checkOrigin: opts.checkOrigin && ((c: RequestContext) => {
        const origin = c.request.header.peek('Origin')
        return opts.checkOrigin!(origin === '' ? undefined : origin)
      }),
      error: opts.customError
        ? (c, status, reason) => {
            c.abortWithMsg(reason.message, status)
            c.response.header.set('X-Reason-Status', String(status))
          }
        : fail,
    })
    const h = server.New(server.withHostPorts('127.0.0.1:0'))
    h.logger = { info () {}, warn () {}, error () {} }
    h.any('/echo', async (_ctx, c) => {
      for (const [name, value] of Object.entries(opts.responseHeader ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) c.response.header.add(name, String(v))
      }
      try {
        await upgrader.upgrade(c, onConn as (conn: Conn) => Promise<void>)
      } catch (err) {
        reject(err as Error)
      }
    })
    await h.run()
    h.server!.on('connection', track)
    t.teardown(() => h.close())
    const port = h.address().port
    return { kind, port, url: (p = '/echo') => `ws://127.0.0.1:${port}${p}`, rejections, nextRejection, engine: h, sockets }
  }

  const upgrader = new Upgrader({
    ...common,
    checkOrigin: opts.checkOrigin && ((req: IncomingMessage) => opts.checkOrigin!(req.headersDistinct.origin?.[0])),
    error: opts.customError
      ? (_req, res, status, reason) => {
          res.statusCode = status
          res.setHeader('X-Reason-Status', String(status))
          // 'write' leaves the response open, as a Go error handler that writes and returns does.
          if (opts.customError === 'write') res.write(reason.message)
          else res.end(reason.message)
        }
      : fail,
  })
  if (kind === 'recommended') {
    const h = server.New(server.withHostPorts('127.0.0.1:0'))
    h.logger = { info () {}, warn () {}, error () {} }
    h.any('/echo', handler(async (req, res) => {
      let conn: Conn
      try {
        conn = await upgrader.upgrade(req, res, opts.responseHeader)
      } catch (err) {
        reject(err as Error)
        return
      }
      await onConn(conn)
    }))
    await h.run()
    h.server!.on('connection', track)
    t.teardown(() => h.close())
    const port = h.address().port
    return { kind, port, url: (p = '/echo') => `ws://127.0.0.1:${port}${p}`, rejections, nextRejection, engine: h, sockets }
  }

  const run = (req: IncomingMessage, res: ServerResponse): void => {
    if (!req.url?.startsWith('/echo')) {
      res.statusCode = 404
      res.end()
      return
    }
    upgrader.upgrade(req, res, opts.responseHeader).then(onConn, reject)
  }
  const srv = createServer(run)
  const open = new Set<Duplex>()
  srv.on('connection', (s: Socket) => {
    track(s)
    open.add(s)
    s.once('close', () => open.delete(s))
  })
  srv.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => run(req, upgradeResponse(req, socket, head)))
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  t.teardown(() => {
    for (const s of open) s.destroy()
    return new Promise<void>((resolve) => srv.close(() => resolve()))
  })
  const port = (srv.address() as AddressInfo).port
  return { kind, port, url: (p = '/echo') => `ws://127.0.0.1:${port}${p}`, rejections, nextRejection, engine: null, sockets }
}
