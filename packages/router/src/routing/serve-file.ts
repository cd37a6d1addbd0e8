import { promises as fsp } from 'node:fs'
import { resolve as resolvePath, sep } from 'node:path'
import { sendDirIndex } from './dir-index.js'
import { sendFile, type FileContext, type FileHandler, type SendFileOptions } from './static.js'

// Hertz's ServeFile, behind c.File, c.FileAttachment and StaticFile: the file system root served with
// GenerateIndexPages, Compress and AcceptByteRange on, so a file answers byte ranges and is gzipped for a client
// that takes gzip, and a directory answers its generated listing.

/** How Hertz's `ServeFile` answers a file: byte ranges and gzip on (its root `FS`). */
export const SERVE_FILE_OPTIONS: Readonly<SendFileOptions> = { acceptByteRange: true, compress: true }

/**
 * Answers with the file at `filepath` (relative to the working directory unless absolute), as Hertz's `ServeFile`:
 * see {@link sendFile}, with {@link SERVE_FILE_OPTIONS}; a directory answers its listing. The listing's links are
 * the directory's own path, as in Hertz, where `ServeFile` makes the file's path the request path.
 */
export async function serveFile (c: FileContext, filepath: string): Promise<void> {
  const file = resolvePath(filepath)
  const st = await fsp.stat(file).catch(() => null)
  if (st !== null && st.isDirectory()) {
    await sendDirIndex(c, file, file, file === sep, SERVE_FILE_OPTIONS)
    return
  }
  // sendFile answers the rest, a missing file (404) included.
  await sendFile(c, file, SERVE_FILE_OPTIONS)
}

/** Handler serving one fixed file (Hertz's `StaticFile`, which calls `c.File`). */
export function staticFileHandler (filepath: string): FileHandler {
  const file = resolvePath(filepath)
  return function staticFile (_ctx, c) { return serveFile(c, file) }
}
