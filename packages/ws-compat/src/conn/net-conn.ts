import type { Duplex } from 'node:stream'

/** A network address, Go's `net.Addr`: `network()` and `string()`; it also prints as `host:port`. */
export interface AddressLike {
  /** The network name, e.g. `'tcp'` (Go's `Network()`). */
  network(): string
  /** `host:port` (Go's `String()`). */
  string(): string
  /** Same as `string()`. */
  toString(): string
}

/**
 * What `conn.netConn()` returns: the connection under the WebSocket, with Hertz's `network.Conn` timeouts
 * (the seed's `conn.NetConn().(network.Conn).SetReadTimeout(1 * time.Second)` becomes
 * `conn.netConn().setReadTimeout(1000)`). The router's hijacked conn satisfies it.
 */
export interface NetConn {
  /** Each read that waits longer than `ms` fails; `0` disables. */
  setReadTimeout(ms: number): void
  /** Each write the socket takes longer than `ms` to accept fails; `0` disables. */
  setWriteTimeout(ms: number): void
  /** The local address. */
  localAddr(): AddressLike
  /** The peer's address. */
  remoteAddr(): AddressLike
  /** Closes the connection at once. */
  close(): void
}

/** A TCP endpoint, Go's `net.TCPAddr` (`IP` becomes `ip`, `Port` `port`; the IPv6 zone stays in `ip`). */
export class TCPAddr implements AddressLike {
  /**
   * @param ip - the IP address as text (`''` when unknown)
   * @param port - the port (`0` when unknown)
   */
  constructor (
    readonly ip: string,
    readonly port: number
  ) {}

  /** Always `'tcp'` (Go's `Network()`). */
  network (): string {
    return 'tcp'
  }

  /** `ip:port`, with IPv6 addresses bracketed (Go's `String()`). */
  string (): string {
    return this.toString()
  }

  /** `ip:port`, with IPv6 addresses bracketed. */
  toString (): string {
    return this.ip.includes(':') ? `[${this.ip}]:${this.port}` : `${this.ip}:${this.port}`
  }
}

/** One side of a WebSocket connection whose per-operation timeout a {@link SocketNetConn} sets. */
export interface TimeoutSink {
  setTimeout(ms: number): void
}

interface SocketLike extends Duplex {
  localAddress?: string
  localPort?: number
  remoteAddress?: string
  remotePort?: number
}

/**
 * The default {@link NetConn}: the socket itself, with the timeouts enforced by the WebSocket connection
 * on its reads and writes (Node sockets have no per-operation timeouts of their own).
 */
export class SocketNetConn implements NetConn {
  private readonly socket: SocketLike
  private readonly reads: TimeoutSink
  private readonly writes: TimeoutSink

  /**
   * @param socket - the connection
   * @param reads - where the read timeout takes effect
   * @param writes - where the write timeout takes effect
   */
  constructor (socket: Duplex, reads: TimeoutSink, writes: TimeoutSink) {
    this.socket = socket
    this.reads = reads
    this.writes = writes
  }

  /** @inheritdoc */
  setReadTimeout (ms: number): void {
    this.reads.setTimeout(ms)
  }

  /** @inheritdoc */
  setWriteTimeout (ms: number): void {
    this.writes.setTimeout(ms)
  }

  /** @inheritdoc */
  localAddr (): TCPAddr {
    return new TCPAddr(this.socket.localAddress ?? '', this.socket.localPort ?? 0)
  }

  /** @inheritdoc */
  remoteAddr (): TCPAddr {
    return new TCPAddr(this.socket.remoteAddress ?? '', this.socket.remotePort ?? 0)
  }

  /** Destroys the socket; later calls do nothing. */
  close (): void {
    this.socket.destroy()
  }
}
