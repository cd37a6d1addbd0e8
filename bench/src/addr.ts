/** Address parsing and printing shared by the server entry and the runner. */

/** Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (host defaults to 127.0.0.1). */
export function parseAddr (addr: string): { host: string, port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr)
  if (m === null) throw new Error(`invalid --addr ${JSON.stringify(addr)}: expected HOST:PORT`)
  const port = Number(m[3])
  if (port > 65535) throw new Error(`invalid --addr ${JSON.stringify(addr)}: port out of range`)
  const host = m[1] ?? (m[2] === '' ? '127.0.0.1' : m[2] as string)
  return { host, port }
}

/** `http://HOST:PORT`, brackets around an IPv6 host. */
export function formatUrl (host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}
