/** Number and table formatting shared by the report's sections. */
import type { Sample } from './report.js'
import type { Variant } from './variants.js'

/** `1.23x`, or `n/a`. */
export const fmtRatio = (r: number, digits = 2): string => Number.isFinite(r) ? `${r.toFixed(digits)}x` : 'n/a'
/** A whole number with thousands separators, or `n/a`. */
export const fmtInt = (v: number): string => Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a'
/** Milliseconds to two decimals, or `n/a`. */
export const fmtMs = (v: number): string => Number.isFinite(v) ? v.toFixed(2) : 'n/a'
/** Microseconds: one decimal below 100, whole above, or `n/a`. */
export const fmtUs = (v: number): string => Number.isFinite(v) ? (v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')) : 'n/a'
/** A target's status. */
export const fmtStatus = (met: boolean | null): string => met === null ? 'not measured' : met ? 'met' : '**missed**'

/** A Markdown table, the first column left-aligned and the others right-aligned. */
export function table (head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => i === 0 ? ' --- ' : ' ---: ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

/** The variants of `variants` that have at least one sample (of `metrics`, when given), in that order. */
export function present (samples: readonly Sample[], variants: readonly Variant[], metrics?: readonly string[]): Variant[] {
  return variants.filter((v) => samples.some((s) => s.variant === v && (metrics === undefined || metrics.includes(s.metric))))
}
