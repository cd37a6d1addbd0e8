import type { Socket } from 'node:net'

/** A network address (Go's `net.Addr`): `network()` and `string()`, plus the parts as fields. */
export class Addr {
  /** IP address (or socket path for unix sockets). */
  readonly address: string
  /** Port, 0 for unix sockets. */
  readonly port: number
  /** `IPv4`, `IPv6` or `unix`. */
  readonly family: string

  constructor (address: string, port: number, family: string) {
    this.address = address
    this.port = port
    this.family = family
  }

  /** The peer address of `socket`. */
  static remote (socket: Socket): Addr {
    const a = socket.remoteAddress
    if (a === undefined) return new Addr(socket.localAddress ?? '', 0, 'unix')
    return new Addr(a, socket.remotePort ?? 0, socket.remoteFamily ?? 'IPv4')
  }

  /** The local address of `socket`. */
  static local (socket: Socket): Addr {
    const a = socket.localAddress
    if (a === undefined) return new Addr('', 0, 'unix')
    return new Addr(a, socket.localPort ?? 0, socket.localFamily ?? 'IPv4')
  }

  /** `tcp` or `unix`. */
  network (): string {
    return this.family === 'unix' ? 'unix' : 'tcp'
  }

  /** `host:port` (`[v6]:port` for IPv6), or the socket path. */
  string (): string {
    if (this.family === 'unix') return this.address
    return this.family === 'IPv6' ? `[${this.address}]:${this.port}` : `${this.address}:${this.port}`
  }

  /** Same as {@link string}. */
  toString (): string {
    return this.string()
  }
}
