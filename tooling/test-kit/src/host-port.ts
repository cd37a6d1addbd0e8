/** `host:port` parsing and printing for the bench's and the tests' `--addr` flags, on the router's parser. */
// The parser's own module, not the package: every bench server parses its --addr with this, and loading the
// whole router there would put megabytes of it into the heap of the baselines (bare ws, bare node:http), which
// moves them across V8's GC thresholds and skews every ratio (bench/RESULTS.md, "WebSocket echo, 16 KB").
import { splitHostPort } from '../../../packages/router/src/server/options.js'

/** Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (host defaults to 127.0.0.1), with the router's parser. */
export function parseAddr (addr: string): { host: string, port: number } {
  let parsed: { host: string, port: number }
  try {
    parsed = splitHostPort(addr)
  } catch {
    const outOfRange = /^\d+$/.test(addr.slice(addr.lastIndexOf(':') + 1))
    throw new Error(`invalid --addr ${JSON.stringify(addr)}: ${outOfRange ? 'port out of range' : 'expected HOST:PORT'}`)
  }
  return { host: parsed.host === '' ? '127.0.0.1' : parsed.host, port: parsed.port }
}

/** `HOST:PORT`, brackets around an IPv6 host (`[::1]:8080`). */
export function joinHostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/** `http://HOST:PORT`, brackets around an IPv6 host. */
export function formatUrl (host: string, port: number): string {
  return `http://${joinHostPort(host, port)}`
}
