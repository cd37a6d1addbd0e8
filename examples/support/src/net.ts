/** `host:port` handling for the `--addr` flag, with Go's `net.SplitHostPort` rules and messages. */

/** A listen address split into its parts; `host` is `''` for "every interface" (`:8080`). */
export interface HostPort {
  host: string
  port: number
}

/** Thrown for an address that is not `host:port` with a port in 0..65535. */
export class AddrError extends Error {
  readonly addr: string

  constructor (addr: string, reason: string) {
    super(`address ${addr}: ${reason}`)
    this.name = 'AddrError'
    this.addr = addr
  }
}

/**
 * Split `host:port`, `[v6]:port` or `:port`. Brackets are removed from IPv6 hosts; the port must be a
 * decimal number in 0..65535 (0 asks the system for a free port).
 */
export function splitHostPort (addr: string): HostPort {
  const colon = addr.lastIndexOf(':')
  if (colon === -1) throw new AddrError(addr, 'missing port in address')
  let host = addr.slice(0, colon)
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) throw new AddrError(addr, 'missing \']\' in address')
    host = host.slice(1, -1)
  } else if (host.includes(':')) {
    throw new AddrError(addr, 'too many colons in address')
  } else if (host.includes('[') || host.includes(']')) {
    throw new AddrError(addr, 'unexpected bracket in address')
  }
  const portText = addr.slice(colon + 1)
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) throw new AddrError(addr, 'invalid port')
  return { host, port: Number(portText) }
}

/** Join a host and port back into an address, bracketing IPv6 hosts (`[::1]:8080`). */
export function joinHostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
