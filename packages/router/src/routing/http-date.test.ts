import t from 'tap'
import { parseHTTPDate } from './http-date.js'

const at = (iso: string): number => Date.parse(iso)
const year99 = new Date(0)
year99.setUTCFullYear(99, 0, 1)

// [input, expected time (NaN = not an HTTP-date)]
const table: Array<[string, number]> = [
  // The three forms of RFC 9110 §5.6.7, for the same instant.
  ['Sun, 06 Nov 1994 08:49:37 GMT', at('1994-11-06T08:49:37Z')],
  ['Sunday, 06-Nov-94 08:49:37 GMT', at('1994-11-06T08:49:37Z')],
  ['Sun Nov  6 08:49:37 1994', at('1994-11-06T08:49:37Z')],
  ['Sun Nov 06 08:49:37 1994', at('1994-11-06T08:49:37Z')],
  // Two-digit years as Go reads them; four-digit years as they are, even below 100; leap days.
  ['Thursday, 01-Jan-68 00:00:00 GMT', at('2068-01-01T00:00:00Z')],
  ['Wednesday, 01-Jan-69 00:00:00 GMT', at('1969-01-01T00:00:00Z')],
  ['Fri, 01 Jan 0099 00:00:00 GMT', year99.getTime()],
  ['Thu, 29 Feb 2024 23:59:59 GMT', at('2024-02-29T23:59:59Z')],
  ['Fri, 31 Dec 9999 23:59:59 GMT', at('9999-12-31T23:59:59Z')],
  // What Date.parse takes and an HTTP-date is not.
  ['3000', NaN],
  ['Dec 3000', NaN],
  ['2030-01-01', NaN],
  ['+275760-09-13T00:00:00Z', NaN],
  ['2030-01-01T00:00:00Z', NaN],
  ['Sun, 06 Nov 1994 08:49:37', NaN],
  ['Sun, 06 Nov 1994 08:49:37 UTC', NaN],
  ['Sun, 06 Nov 1994 08:49:37 +0000', NaN],
  ['Sun, 6 Nov 1994 08:49:37 GMT', NaN],
  ['Sun, 06 Nov 94 08:49:37 GMT', NaN],
  ['sun, 06 nov 1994 08:49:37 gmt', NaN],
  ['Sunday, 06 Nov 1994 08:49:37 GMT', NaN],
  ['Sun, 06-Nov-94 08:49:37 GMT', NaN],
  [' Sun, 06 Nov 1994 08:49:37 GMT', NaN],
  ['Sun, 06 Nov 1994 08:49:37 GMT ', NaN],
  ['Sun, 06 Nov 1994 8:49:37 GMT', NaN],
  ['Sun Nov 6 08:49:37 1994', NaN],
  ['Sun, 06 Nov +1994 08:49:37 GMT', NaN],
  ['Sun, ٠٦ Nov 1994 08:49:37 GMT', NaN],
  // Fields out of range.
  ['Sat, 31 Feb 2099 00:00:00 GMT', NaN],
  ['Fri, 29 Feb 2023 00:00:00 GMT', NaN],
  ['Sun, 00 Nov 1994 08:49:37 GMT', NaN],
  ['Sun, 32 Nov 1994 08:49:37 GMT', NaN],
  ['Sun, 06 Nov 1994 24:00:00 GMT', NaN],
  ['Sun, 06 Nov 1994 08:60:00 GMT', NaN],
  ['Sun, 06 Nov 1994 08:49:60 GMT', NaN],
  ['', NaN]
]

t.test('parseHTTPDate takes the three HTTP-date forms and nothing else', async t => {
  for (const [input, want] of table) t.same(parseHTTPDate(input), want, JSON.stringify(input))
})
