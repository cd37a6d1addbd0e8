import { promises as fsp } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { mayGzip, type FileContext, type SendFileOptions } from './static.js'

// The page of a directory served with `generateIndexPages` (Hertz's createDirIndex): its entries sorted by name,
// folders marked, each with its size and modification time. Names are HTML-escaped and their links
// percent-encoded, since a file name is whatever the file system allows.

function escapeHTML (s: string): string {
  return s.replace(/[&<>"']/g, ch => `&#${ch.charCodeAt(0)};`)
}

/**
 * The HTML listing of the directory `dir`, shown at the URL path `urlPath`; `atRoot` leaves out the `..` link.
 */
export async function dirIndexPage (dir: string, urlPath: string, atRoot: boolean): Promise<string> {
  const base = urlPath.endsWith('/') ? urlPath : urlPath + '/'
  // Absolute links: the page may be shown at `/dir` as well as at `/dir/`.
  const encodedBase = base.split('/').map(encodeURIComponent).join('/')
  const names = (await fsp.readdir(dir)).sort()
  const items: string[] = []
  if (!atRoot) items.push(`<li><a href="${escapeHTML(encodedBase)}../" class="dir">..</a></li>`)
  for (const name of names) {
    const st = await fsp.stat(join(dir, name)).catch(() => null)
    if (st === null) continue
    const isDir = st.isDirectory()
    const href = encodedBase + encodeURIComponent(name) + (isDir ? '/' : '')
    const size = isDir ? 'folder' : `file, ${st.size} bytes`
    items.push(`<li><a href="${escapeHTML(href)}" class="${isDir ? 'dir' : 'file'}">${escapeHTML(name)}</a>, ${size}, last modified ${st.mtime.toUTCString()}</li>`)
  }
  const title = escapeHTML(base)
  return `<html><head><title>${title}</title><style>.dir { font-weight: bold }</style></head><body><h1>${title}</h1><ul>${items.join('')}</ul></body></html>`
}

/**
 * Answers with the listing of `dir` (see {@link dirIndexPage}) as text/html, gzipped when `opts.compress` and the
 * request allow it (Hertz compresses its generated pages as it does files).
 */
export async function sendDirIndex (c: FileContext, dir: string, urlPath: string, atRoot: boolean, opts: SendFileOptions): Promise<void> {
  let page = Buffer.from(await dirIndexPage(dir, urlPath, atRoot))
  c.setStatusCode(200)
  c.setContentType('text/html; charset=utf-8')
  if (mayGzip(c, opts)) {
    page = gzipSync(page)
    c.response.header.set('Content-Encoding', 'gzip')
    c.response.header.set('Vary', 'Accept-Encoding')
  }
  c.response.setBody(page)
}
