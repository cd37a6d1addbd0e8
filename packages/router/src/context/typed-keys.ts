// Hertz's typed key getters: the stored value when it has the asked type, else the type's zero value. JavaScript
// has one number type, so the integer getters take integral numbers in the type's range (and bigints that fit),
// and the float getters any number.

const INT_RANGES = {
  int: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-0x80000000, 0x7fffffff],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint: [0, Number.MAX_SAFE_INTEGER],
  uint32: [0, 0xffffffff],
  uint64: [0, Number.MAX_SAFE_INTEGER]
} as const

/** An integer kind of Go. */
export type IntKind = keyof typeof INT_RANGES

/** `v` as an integer of `kind`, else 0. */
export function asInt (v: unknown, kind: IntKind): number {
  const n = typeof v === 'bigint' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n)) return 0
  const [lo, hi] = INT_RANGES[kind]
  return n >= lo && n <= hi ? n : 0
}

/** `v` as a float32 (rounded to single precision, as Go stores it), else 0. */
export function asFloat32 (v: unknown): number {
  return typeof v === 'number' ? Math.fround(v) : 0
}

/** `v` if it is an array of strings, else `[]`. */
export function asStringSlice (v: unknown): string[] {
  return Array.isArray(v) && v.every(s => typeof s === 'string') ? v : []
}

/** `v` if it is a plain object (or a Map, as an object), else `{}`. */
export function asStringMap (v: unknown): Record<string, unknown> {
  if (v instanceof Map) return Object.fromEntries(v)
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {}
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null ? v as Record<string, unknown> : {}
}

/** `v` if it is an object of strings, else `{}`. */
export function asStringMapString (v: unknown): Record<string, string> {
  const m = asStringMap(v)
  return Object.values(m).every(s => typeof s === 'string') ? m as Record<string, string> : {}
}

/** `v` if it is an object of string arrays, else `{}`. */
export function asStringMapStringSlice (v: unknown): Record<string, string[]> {
  const m = asStringMap(v)
  return Object.values(m).every(s => Array.isArray(s) && s.every(x => typeof x === 'string')) ? m as Record<string, string[]> : {}
}
