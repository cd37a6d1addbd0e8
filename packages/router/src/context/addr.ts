import type { Socket } from 'node:net'

/**
 * A network address (Go's `net.Addr`): `network()` and `string()`, plus the parts as fields. For TCP it is also
 * Go's `net.TCPAddr` (`ip`, `port`), the one address type of the project (ws-compat's `TCPAddr` included).
 */
export class Addr {
  /** IP address (or socket path for unix sockets). */
  readonly address: string
  /** Port, 0 for unix sockets. */
  readonly port: number
  /** `IPv4`, `IPv6` or `unix`. */
  readonly family: string

  /**
   * @param address - the IP address, or the socket path for a unix socket
   * @param port - the port, 0 for a unix socket
   * @param family - `IPv4`, `IPv6` or `unix`; by default the IP family of `address` (IPv6 when it has a colon)
   */
  constructor (address: string, port: number, family: string = address.includes(':') ? 'IPv6' : 'IPv4') {
    this.address = address
    this.port = port
    this.family = family
  }

  /** The IP address (Go's `TCPAddr.IP`; the IPv6 zone stays in it); '' for a unix socket. */
  get ip (): string {
    return this.family === 'unix' ? '' : this.address
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
