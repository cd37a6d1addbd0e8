/**
 * The first and last byte of a `Range: bytes=...` header for a body of `size` bytes, or null when it cannot be
 * served (Hertz's `ParseByteRange`): one range only, `a-b` (an end past the body is cut to its end), `a-` and the
 * suffix form `-n` (the last n bytes); a start past the end, or after the end, is unsatisfiable.
 */
export function parseByteRange (header: string, size: number): [number, number] | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (m === null || size === 0) return null
  const [, a, b] = m as unknown as [string, string, string]
  if (a === '') {
    if (b === '') return null
    const n = Number(b)
    if (n === 0) return null
    return [Math.max(0, size - n), size - 1]
  }
  const start = Number(a)
  if (start > size - 1) return null
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1)
  return start > end ? null : [start, end]
}
