/** Go's `exec.LookPath`: where the command named on the command line is. */
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'

function findExecutable (file: string): Error | null {
  try {
    if (statSync(file).isDirectory()) return new Error('is a directory')
    accessSync(file, constants.X_OK)
    return null
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err))
  }
}

/**
 * The path of the executable `file`: `file` itself when it contains a slash, else the first match in the
 * directories of `$PATH`. Throws with Go's message (`exec: "x": executable file not found in $PATH`).
 */
export function lookPath (file: string): string {
  if (file.includes('/')) {
    const err = findExecutable(file)
    if (err === null) return file
    throw new Error(`exec: ${JSON.stringify(file)}: ${err.message}`)
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    // An empty entry is the current directory; './' keeps spawn from searching $PATH again.
    const path = dir === '' ? `./${file}` : join(dir, file)
    if (findExecutable(path) === null) return path
  }
  throw new Error(`exec: ${JSON.stringify(file)}: executable file not found in $PATH`)
}
