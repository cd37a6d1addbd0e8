import t from 'tap'
import { parseWrk } from './wrk.js'

const OUT = `Running 1s test @ http://127.0.0.1:40000/hello
  1 threads and 100 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.80ms    3.10ms  45.00ms   90.00%
    Req/Sec    10.25k     1.00k   11.00k    80.00%
  Latency Distribution
     50%    9.00ms
     75%   10.00ms
     90%   12.00ms
     99%    1.20s
  10253 requests in 1.00s, 1.80MB read
Requests/sec:  10253.12
Transfer/sec:      1.80MB
`

t.test('parseWrk reads req/s, the p99 in ms and the total', async (t) => {
  const r = parseWrk(OUT)
  t.equal(r.reqPerSec, 10253.12)
  t.equal(r.p99Ms, 1200)
  t.equal(r.completed, 10253)
  t.same(r.problems, [])
})

t.test('parseWrk: non-2xx answers and read errors are problems, unreadable output too', async (t) => {
  const r = parseWrk(OUT + '  Socket errors: connect 0, read 3, write 0, timeout 0\n  Non-2xx or 3xx responses: 7\n')
  t.same(r.problems, ['7 non-2xx responses', 'socket errors: connect 0, read 3, write 0, timeout 0'])
  t.match(parseWrk('wrk: command failed').problems[0], /unreadable wrk output/)
})
