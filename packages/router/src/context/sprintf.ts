import { inspect } from 'node:util'

function plain (v: unknown): string {
  if (typeof v === 'string') return v
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString()
  if (v instanceof Error) return v.message
  if (v === null || v === undefined) return String(v)
  if (typeof v === 'object') return inspect(v, { depth: 4, breakLength: Infinity })
  return String(v)
}

/**
 * A small `fmt.Sprintf`: `%v %s %d %f %t %q %x %%`, so `c.string(200, 'hello %s', name)` reads as in Go.
 * Missing values print `%!v(MISSING)`, extra ones are appended as `%!(EXTRA ...)`, as Go does.
 */
export function sprintf (format: string, values: readonly unknown[]): string {
  let out = ''
  let next = 0
  let last = 0
  for (let i = 0; i < format.length; i++) {
    if (format.charCodeAt(i) !== 37) continue
    out += format.slice(last, i)
    const verb = format[i + 1]
    i++
    last = i + 1
    if (verb === undefined) { out += '%!(NOVERB)'; break }
    if (verb === '%') { out += '%'; continue }
    if (next >= values.length) { out += `%!${verb}(MISSING)`; continue }
    const v = values[next++]
    switch (verb) {
      case 'd': out += typeof v === 'number' ? String(Math.trunc(v)) : typeof v === 'bigint' ? v.toString() : `%!d(${plain(v)})`; break
      case 'f': out += typeof v === 'number' ? v.toFixed(6) : `%!f(${plain(v)})`; break
      case 't': out += typeof v === 'boolean' ? String(v) : `%!t(${plain(v)})`; break
      case 'q': out += JSON.stringify(plain(v)); break
      case 'x': out += typeof v === 'number' ? Math.trunc(v).toString(16) : Buffer.from(plain(v)).toString('hex'); break
      default: out += plain(v)
    }
  }
  if (last < format.length) out += format.slice(last)
  if (next < values.length) out += '%!(EXTRA ' + values.slice(next).map(plain).join(', ') + ')'
  return out
}
