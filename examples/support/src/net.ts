/** `host:port` handling for the `--addr` flag, with Go's `net.SplitHostPort` rules and messages. */
import { HertzError, splitHostPort as routerSplitHostPort } from '@hertz-node/router'

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
 * Split `host:port`, `[v6]:port` or `:port` (the router's `splitHostPort`, Go's `net.SplitHostPort` rules).
 * Brackets are removed from IPv6 hosts; the port must be a decimal number in 0..65535 (0 asks the system for a
 * free port).
 */
export function splitHostPort (addr: string): HostPort {
  try {
    return routerSplitHostPort(addr)
  } catch (err) {
    const prefix = `address ${addr}: `
    if (err instanceof HertzError && err.message.startsWith(prefix)) throw new AddrError(addr, err.message.slice(prefix.length))
    throw err
  }
}

/** Join a host and port back into an address, bracketing IPv6 hosts (`[::1]:8080`). */
export function joinHostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
