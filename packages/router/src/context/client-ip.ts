import { BlockList, isIP } from 'node:net'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { ClientIPFunc } from './request-context.js'

export type { ClientIPFunc }

/** How {@link clientIPWithOption} trusts forwarding headers (Hertz's `app.ClientIPOptions`). */
export interface ClientIPOptions {
  /** Headers holding the client address, tried in order (Hertz: `X-Forwarded-For`, `X-Real-IP`). */
  remoteIPHeaders: readonly string[]
  /** Peers (CIDRs such as `10.0.0.0/8` or `::1/128`, or single IPs) whose headers are believed; empty: none. */
  trustedCIDRs: readonly string[]
}

/** A set of CIDRs with a `contains(ip)` test. */
class Trusted {
  readonly #list = new BlockList()

  constructor (cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const slash = cidr.indexOf('/')
      const ip = slash < 0 ? cidr : cidr.slice(0, slash)
      const family = isIP(ip)
      const bits = slash < 0 ? (family === 6 ? 128 : 32) : Number(cidr.slice(slash + 1))
      if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
        throw new HertzError(HertzErrorCode.BAD_OPTION, `clientIPWithOption: bad trusted CIDR ${JSON.stringify(cidr)}`)
      }
      this.#list.addSubnet(ip, bits, family === 6 ? 'ipv6' : 'ipv4')
    }
  }

  contains (ip: string): boolean {
    const family = isIP(ip)
    if (family === 0) return false
    // An IPv4-mapped IPv6 peer (`::ffff:10.0.0.1`, how a dual-stack socket reports IPv4) is its IPv4 address.
    if (family === 6 && ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4) return this.#list.check(ip.slice(7), 'ipv4')
    return this.#list.check(ip, family === 6 ? 'ipv6' : 'ipv4')
  }
}

// Walks a forwarding list from its end: each proxy appends the address it saw, so the first untrusted entry (or the
// leftmost) is the client. An entry that is not an IP makes the whole header unusable, as in Hertz.
function fromHeader (trusted: Trusted, header: string): string {
  if (header === '') return ''
  const items = header.split(',')
  for (let i = items.length - 1; i >= 0; i--) {
    const ip = (items[i] as string).trim()
    if (isIP(ip) === 0) return ''
    if (i === 0 || !trusted.contains(ip)) return ip
  }
  return ''
}

/**
 * A client IP function (Hertz's `ClientIPWithOption`): a peer in `trustedCIDRs` (a unix socket counts as
 * 127.0.0.1) has its `remoteIPHeaders` believed, walking each list back past trusted proxies; any other peer's
 * headers are ignored and its own address is the answer. Install it with `h.setClientIPFunc(...)`.
 */
export function clientIPWithOption (opts: ClientIPOptions): ClientIPFunc {
  const trusted = new Trusted(opts.trustedCIDRs)
  const headers = opts.remoteIPHeaders.map(h => h.toLowerCase())
  return function clientIP (c) {
    const socket = c.req.socket
    const peer = socket.remoteAddress
    const unix = peer === undefined
    const remote = unix ? (socket.localAddress ?? '') : peer
    if (!trusted.contains(unix ? '127.0.0.1' : remote)) return remote
    for (const name of headers) {
      const v = c.req.headers[name]
      const ip = fromHeader(trusted, Array.isArray(v) ? v.join(',') : (v ?? ''))
      if (ip !== '') return ip
    }
    return remote
  }
}

/**
 * Hertz's default: every peer is trusted, so the client is the first address of `X-Forwarded-For`, else
 * `X-Real-IP`, else the peer. Anyone who can reach the server can therefore choose what it returns; see the README
 * for restricting it to your proxies.
 */
export const defaultClientIP: ClientIPFunc = clientIPWithOption({
  remoteIPHeaders: ['X-Forwarded-For', 'X-Real-IP'],
  trustedCIDRs: ['0.0.0.0/0', '::/0']
})
