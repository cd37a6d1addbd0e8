import { readdirSync, statSync } from 'node:fs'
import { join, resolve, sep } from 'node:path'

// Go's filepath.Glob, which LoadHTMLGlob uses: `*` (any run of non-separator characters), `?` and `[...]` classes
// in any segment, no `**`. Node 20 has no fs.globSync.

const MAGIC = /[*?[]/

function segmentRegExp (pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string
    if (ch === '*') re += '[^/]*'
    else if (ch === '?') re += '[^/]'
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end < 0) { re += '\\['; continue }
      let cls = pattern.slice(i + 1, end).replace(/\\/g, '\\\\')
      if (cls.startsWith('^')) cls = '^' + cls.slice(1)
      re += `[${cls}]`
      i = end
    } else if (ch === '\\' && i + 1 < pattern.length) {
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    } else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** The files matching `pattern` (absolute paths, sorted as Go's Glob returns them); directories are left out. */
export function globFiles (pattern: string): string[] {
  const abs = resolve(pattern)
  const parts = abs.split(sep)
  let bases = [parts[0] === '' ? sep : (parts[0] as string)]
  for (const part of parts.slice(1)) {
    if (part === '') continue
    const next: string[] = []
    for (const base of bases) {
      if (!MAGIC.test(part)) {
        next.push(join(base, part))
        continue
      }
      const re = segmentRegExp(part)
      let names: string[] = []
      try {
        names = readdirSync(base)
      } catch {
        continue
      }
      for (const name of names.sort()) if (re.test(name)) next.push(join(base, name))
    }
    bases = next
  }
  return bases.filter(f => {
    try {
      return statSync(f).isFile()
    } catch {
      return false
    }
  })
}
