// An HTTP-date (RFC 9110 §5.6.7) in any of its three forms, and nothing else: Date.parse accepts `3000`,
// `2030-01-01` or `+275760-09-13T00:00:00Z`, which a conditional request must ignore instead (§13.1.3).

const DAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun'
const LONG_DAYS = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday'
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const MON = MONTHS.join('|')
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)'

// Each yields day, month, year, hour, minute, second (in that group order, see the fields lists).
const IMF_FIXDATE = new RegExp(`^(?:${DAYS}), (\\d\\d) (${MON}) (\\d{4}) ${TIME} GMT$`)
const RFC850 = new RegExp(`^(?:${LONG_DAYS}), (\\d\\d)-(${MON})-(\\d\\d) ${TIME} GMT$`)
const ASCTIME = new RegExp(`^(?:${DAYS}) (${MON}) ([ \\d]\\d) ${TIME} (\\d{4})$`)

/**
 * Milliseconds since the epoch of the HTTP-date `s` (IMF-fixdate, RFC 850 or asctime, case-sensitive as the RFC
 * says), or NaN when `s` is anything else or names a day that does not exist. A two-digit RFC 850 year is read as
 * Go's `http.ParseTime` reads it: 69-99 are 19xx, 00-68 are 20xx. The weekday is not checked against the date
 * (neither Go nor Hertz does).
 */
export function parseHTTPDate (s: string): number {
  let m = IMF_FIXDATE.exec(s)
  if (m !== null) return build(m[3], m[2], m[1], m[4], m[5], m[6])
  m = RFC850.exec(s)
  if (m !== null) {
    const yy = Number(m[3])
    return build(String(yy >= 69 ? 1900 + yy : 2000 + yy), m[2], m[1], m[4], m[5], m[6])
  }
  m = ASCTIME.exec(s)
  if (m !== null) return build(m[6], m[1], m[2], m[3], m[4], m[5])
  return NaN
}

function build (year?: string, month?: string, day?: string, hour?: string, min?: string, sec?: string): number {
  const y = Number(year)
  const mo = MONTHS.indexOf(month as string)
  const d = Number((day as string).trim())
  const h = Number(hour)
  const mi = Number(min)
  const se = Number(sec)
  if (d < 1 || h > 23 || mi > 59 || se > 59) return NaN
  // setUTCFullYear, not Date.UTC: the latter reads years 0-99 as 1900-1999.
  const date = new Date(0)
  date.setUTCFullYear(y, mo, d)
  date.setUTCHours(h, mi, se)
  // 31 Feb rolls over into March: a day past the end of its month is no date.
  return date.getUTCDate() === d ? date.getTime() : NaN
}
