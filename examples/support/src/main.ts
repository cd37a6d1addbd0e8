import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

/**
 * True when the module at `url` (its `import.meta.url`) is the script node was started with, false when it is
 * imported (by a test that serves the app in memory). Go's `main` runs only in the program; this is its guard.
 */
export function isMain (url: string): boolean {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return pathToFileURL(realpathSync(script)).href === url
  } catch {
    return false
  }
}
