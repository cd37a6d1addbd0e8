import type { Socket } from 'node:net'
import { HertzError, HertzErrorCode } from '../errors.js'
import { Addr } from '../context/addr.js'
import { closedError, type ConnCore, type HijackConnPool } from './pool.js'

/** Runs with the raw connection of a hijacked request (Hertz's `app.HijackHandler`). */
export type HijackHandler = (conn: HijackConn) => void | Promise<void>

function releasedError (): HertzError {
  return new HertzError(HertzErrorCode.HIJACK_CONN_RELEASED,
    'hijacked connection was released to the pool: it must not be used after its hijack handler settled ' +
    '(set h.noHijackConnPool = true for asynchronous use)')
}

/**
 * The connection a hijack handler receives (Hertz's hijacked `network.Conn`). With the engine's conn pool on
 * (the default), a second `close()` throws `HERTZ_ERR_HIJACK_CONN_CLOSED` and any use after the router released
 * the conn throws `HERTZ_ERR_HIJACK_CONN_RELEASED`. With `h.noHijackConnPool = true`, `close()` is idempotent and
 * the conn may be used from other async tasks until it is closed (then reads and writes reject with
 * `HERTZ_ERR_HIJACK_CONN_CLOSED`).
 */
export class HijackConn {
  #core: ConnCore
  readonly #gen: number
  readonly #pool: HijackConnPool
  readonly #pooled: boolean
  readonly #keep: boolean

  /** Made by the router for each hijacked connection (a lease on a pooled core). */
  constructor (core: ConnCore, pool: HijackConnPool, pooled: boolean, keep: boolean) {
    this.#core = core
    this.#gen = core.gen
    this.#pool = pool
    this.#pooled = pooled
    this.#keep = keep
  }

  /** True when this lease is no longer valid. Without the pool a core is never reused: released, it is closed. */
  #stale (core: ConnCore): boolean {
    return this.#pooled && (core.gen !== this.#gen || core.released)
  }

  #live (): ConnCore {
    const core = this.#core
    if (this.#stale(core)) throw releasedError()
    return core
  }

  /** The underlying socket. */
  get socket (): Socket {
    return this.#live().socket as Socket
  }

  /** Bytes the client sent past the request head before the hijack; `read()` returns them first. */
  get head (): Buffer {
    return this.#live().head
  }

  /**
   * The next bytes from the client (the head bytes first), or null at end of stream. Every failure, a use after
   * release included, is a rejection, so `conn.read().catch(f)` handles them all.
   */
  read (): Promise<Buffer | null> {
    const core = this.#core
    if (this.#stale(core)) return Promise.reject(releasedError())
    return core.read()
  }

  /** Writes `data`; resolves when it has been handed to the OS. Failures (use after release included) reject. */
  write (data: string | Uint8Array): Promise<void> {
    const core = this.#core
    if (this.#stale(core)) return Promise.reject(releasedError())
    return core.write(data)
  }

  /** Closes the connection (after pending writes). See the class notes for the pool rules. */
  close (): void {
    const core = this.#live()
    if (core.closed) {
      if (this.#pooled) throw closedError()
      return
    }
    core.close()
    // With kept conns the router never releases the conn itself: closing it is the release, as in Hertz.
    if (this.#keep) this.#pool.release(core, this.#pooled)
  }

  /** Fails reads (and closes the conn) once no byte arrived for `ms` milliseconds; 0 turns it off. */
  setReadTimeout (ms: number): void {
    this.#live().setReadTimeout(ms)
  }

  /** Fails the conn once pending writes made no progress for `ms` milliseconds; 0 turns it off. */
  setWriteTimeout (ms: number): void {
    this.#live().setWriteTimeout(ms)
  }

  /** The local address. */
  localAddr (): Addr {
    return Addr.local(this.#live().socket as Socket)
  }

  /** The peer address. */
  remoteAddr (): Addr {
    return Addr.remote(this.#live().socket as Socket)
  }
}
