import type { PathRewriteFunc } from '../context/request-context.js'

// The path rewriters of Hertz's fs.go. The FS types live beside RequestContext, which takes an FS in
// c.fileFromFS; the handler that serves one is fs-handler.ts.

export type { FS, PathRewriteFunc } from '../context/request-context.js'

/**
 * A `PathRewriteFunc` dropping the first `n` segments of the path (Hertz's `NewPathSlashesStripper`):
 * with `n = 1`, `/assets/css/a.css` becomes `/css/a.css`.
 */
export function newPathSlashesStripper (n: number): PathRewriteFunc {
  return c => stripLeadingSegments(c.path(), n)
}

/**
 * A `PathRewriteFunc` serving each virtual host from its own folder, the Host header first, then the path without
 * its first `n` segments (Hertz's `NewVHostPathRewriter`): `example.com` + `/a/b.txt` with n = 1 is
 * `/example.com/b.txt`. A host with a `/` or that is empty becomes `invalid-host`.
 */
export function newVHostPathRewriter (n: number): PathRewriteFunc {
  return c => {
    let host = c.host()
    if (host === '' || host.includes('/') || host.includes('\\') || host === '.' || host === '..') host = 'invalid-host'
    return '/' + host + stripLeadingSegments(c.path(), n)
  }
}

function stripLeadingSegments (p: string, n: number): string {
  let rest = p
  for (let i = 0; i < n; i++) {
    const next = rest.indexOf('/', 1)
    if (next < 0) return '/'
    rest = rest.slice(next)
  }
  return rest
}
