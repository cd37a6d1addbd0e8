import t from 'tap'
import { chartFor, evaluateTargets, fromJson, ratio, renderMarkdown, RESULTS_END, RESULTS_START, spliceResults, summarize, toJson, type Report, type Sample } from './report.js'

const s = (round: number, variant: Sample['variant'], metric: Sample['metric'], value: number): Sample => ({ round, variant, metric, value })

t.test('ratio is taken inside each round, then the median of the per-round ratios', async (t) => {
  // Per-round ratios 1, 3, 0.5 -> median 1; the ratio of the medians (150 / 100) would say 1.5.
  const samples = [
    s(1, 'router', 'http_rps', 100), s(1, 'node-http', 'http_rps', 100),
    s(2, 'router', 'http_rps', 300), s(2, 'node-http', 'http_rps', 100),
    s(3, 'router', 'http_rps', 150), s(3, 'node-http', 'http_rps', 300)
  ]
  const r = ratio(samples, 'router', 'node-http', 'http_rps')
  t.same(r.samples, [1, 3, 0.5])
  t.equal(r.value, 1)
})

t.test('ratio ignores rounds where one side is missing and is NaN with no common round', async (t) => {
  const samples = [s(1, 'router', 'http_rps', 100), s(2, 'router', 'http_rps', 90), s(2, 'node-http', 'http_rps', 100)]
  t.same(ratio(samples, 'router', 'node-http', 'http_rps').samples, [0.9])
  t.ok(Number.isNaN(ratio(samples, 'router', 'fastify', 'http_rps').value))
})

t.test('summarize gives the median per variant and metric, with the unit', async (t) => {
  const rows = summarize([s(1, 'ws-raw', 'echo32_mps', 3), s(2, 'ws-raw', 'echo32_mps', 1), s(3, 'ws-raw', 'echo32_mps', 2), s(1, 'ws-raw', 'mem_rss', 4096)])
  t.same(rows.map((r) => [r.variant, r.metric, r.value, r.unit]), [['ws-raw', 'echo32_mps', 2, 'msg/s'], ['ws-raw', 'mem_rss', 4096, 'B']])
})

t.test('targets: a minimum is met at the goal, a maximum is missed above it, unmeasured is null', async (t) => {
  const samples = [
    s(1, 'router', 'http_rps', 105), s(1, 'fastify', 'http_rps', 100), s(1, 'node-http', 'http_rps', 106),
    s(1, 'ws-compat', 'mem_rss', 111), s(1, 'ws-raw', 'mem_rss', 100)
  ]
  const find = (variant: string, versus: string, metric: string) => evaluateTargets(samples).find((x) => x.variant === variant && x.versus === versus && x.metric === metric)
  t.equal(find('router', 'fastify', 'http_rps')?.met, true)
  t.equal(find('router', 'node-http', 'http_rps')?.met, false)
  t.equal(find('ws-compat', 'ws-raw', 'mem_rss')?.met, false)
  t.equal(find('router-adaptor', 'router', 'http_rps')?.met, null)
})

t.test('spliceResults replaces only the generated block and keeps the prose around it', async (t) => {
  const first = spliceResults('# Results\n\nIntro.\n', 'TABLE 1')
  t.match(first, /^# Results\n\nIntro\.\n\n<!-- bench:results:start/)
  const edited = first + '\n## Notes\nkept\n'
  const second = spliceResults(edited, 'TABLE 2')
  t.notMatch(second, /TABLE 1/)
  t.match(second, /TABLE 2/)
  t.match(second, /## Notes\nkept/)
  t.equal(second.split(RESULTS_START).length, 2)
  t.equal(second.split(RESULTS_END).length, 2)
})

t.test('markdown, json and chart of a small run', async (t) => {
  const report: Report = {
    meta: { date: '2026-01-01T00:00:00.000Z', node: 'v20', cpus: 2, cpuModel: 'test', quick: false, rounds: 1, warmup: true, load: {} },
    samples: [
      s(1, 'node-http', 'http_rps', 100), s(1, 'router', 'http_rps', 120), s(1, 'node-http', 'http_cpu', 20), s(1, 'router', 'http_cpu', 25),
      s(1, 'ws-raw', 'echo32_mps', 10), s(1, 'ws-compat', 'echo32_mps', 9)
    ],
    failures: [{ variant: 'ws-compat', suite: 'echo 32 B', message: 'connection 0: message 3 came back altered\nmore' }]
  }
  const md = renderMarkdown(report)
  t.match(md, /\| router \| 1\.20x \| 1\.25x \| 120 \| n\/a \| 25\.0 \|/)
  t.match(md, /\| ws-compat \| 0\.90x \|/)
  // 20 % more throughput, but 25 % more CPU per request: by CPU the target is missed.
  t.match(md, /router \/ node-http, HTTP req\/s \| >= 1\.00x \| 1\.200x \| met \| 0\.800x \| \*\*missed\*\* \|/)
  t.match(md, /ws-compat \(echo 32 B\): connection 0: message 3 came back altered$/m)
  t.notMatch(md, /ballast/)
  t.match(renderMarkdown({ ...report, meta: { ...report.meta, load: { ballastMb: 12 } } }), /kept a 12 MB ballast of long-lived objects \(`--ballast 12`\)/)
  const json = toJson(report) as { rows: unknown[], ratios: Array<{ variant: string, metric: string, value: number }>, node: string, cpus: number }
  t.equal(json.node, 'v20')
  t.equal(json.cpus, 2)
  t.equal(json.rows.length, 6)
  t.same(json.ratios.map((r) => [r.variant, r.metric, r.value]), [['router', 'http_rps', 1.2], ['router', 'http_cpu', 1.25], ['ws-compat', 'echo32_mps', 0.9]])
  const svg = chartFor(report)
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
  t.match(svg, />1\.20x</)
  t.match(svg, />0\.90x</)
  const bars = svg.match(/<rect [^>]*height="14" fill="#[0-9a-f]+"/g) ?? []
  t.equal(bars.length, 3, 'one bar per non-baseline variant and metric')
  t.match(bars[0], /fill="#59a14f"/, 'router beats node-http on req/s: green')
  t.match(bars[1], /fill="#e15759"/, 'router spends more CPU per request: red')
  t.match(bars[2], /fill="#e15759"/, 'ws-compat trails ws-raw: red')
})

t.test('a saved run renders the same report', async (t) => {
  const report: Report = {
    meta: { date: '2026-01-01T00:00:00.000Z', node: 'v20', cpus: 2, cpuModel: 'test', quick: false, rounds: 2, warmup: true, load: { http: 1 } },
    samples: [s(1, 'node-http', 'http_rps', 100), s(1, 'router', 'http_rps', 120), s(2, 'node-http', 'http_rps', 90), s(2, 'router', 'http_rps', 99)],
    failures: []
  }
  const back = fromJson(JSON.parse(JSON.stringify(toJson(report))))
  t.same(back, report)
  t.equal(renderMarkdown(back), renderMarkdown(report))
})

t.test('fixed rate: efficiency per round, median and range; off-rate rounds said; normal-load target rows', async (t) => {
  const samples = [
    // ws-raw spends 10 µs per message; ws-compat 10, 12.5 and 8: efficiencies 1.0, 0.8 and 1.25.
    s(1, 'ws-raw', 'rate_echo32_cpu', 10), s(1, 'ws-compat', 'rate_echo32_cpu', 10),
    s(2, 'ws-raw', 'rate_echo32_cpu', 10), s(2, 'ws-compat', 'rate_echo32_cpu', 12.5),
    s(3, 'ws-raw', 'rate_echo32_cpu', 16), s(3, 'ws-compat', 'rate_echo32_cpu', 12.8),
    s(1, 'ws-raw', 'rate_echo32_achieved', 1), s(1, 'ws-compat', 'rate_echo32_achieved', 1),
    s(2, 'ws-raw', 'rate_echo32_achieved', 1), s(2, 'ws-compat', 'rate_echo32_achieved', 1),
    s(3, 'ws-raw', 'rate_echo32_achieved', 1), s(3, 'ws-compat', 'rate_echo32_achieved', 1.02),
    // Round 4: ws-compat fell behind, so it has no CPU sample that round and the ratio leaves it out.
    s(4, 'ws-raw', 'rate_echo32_cpu', 10), s(4, 'ws-raw', 'rate_echo32_achieved', 1), s(4, 'ws-compat', 'rate_echo32_achieved', 0.8),
    s(1, 'ws-raw', 'rate_handshakes_cpu', 100), s(1, 'ws-compat', 'rate_handshakes_cpu', 104)
  ]
  const find = (metric: string) => evaluateTargets(samples).find((x) => x.variant === 'ws-compat' && x.metric === metric)
  const echo = find('rate_echo32_cpu')
  t.equal(echo?.ratio, 1)
  t.equal(echo?.min, 0.8)
  t.equal(echo?.max, 1.25)
  t.equal(echo?.met, true)
  t.equal(find('rate_handshakes_cpu')?.ratio, 1.04, 'a CPU target that is not an efficiency stays variant / baseline')
  t.equal(find('rate_handshakes_cpu')?.met, true)
  t.equal(find('rate_echo16k_cpu')?.met, null)

  const load = { rate: { rounds: 4, warmSec: 1, connections: 20, workloads: { echo32: { rate: 10_000, sec: 3 } } } }
  const md = renderMarkdown({ meta: { date: '2026-01-01T00:00:00.000Z', node: 'v20', cpus: 2, cpuModel: 'test', quick: false, rounds: 4, warmup: true, load }, samples, failures: [] })
  t.match(md, /### Fixed rate: server CPU per operation at normal load/)
  t.match(md, /\| echo 32 B at 10,000\/s \| ws-raw \| 10\.0 \/ msg \| 1\.00x \(baseline\) \| {2}\| 10,000\/s, 100\.0 % \|/)
  t.match(md, /\| echo 32 B at 10,000\/s \| ws-compat \| 12\.5 \/ msg \| 1\.00x \| 0\.80x - 1\.25x \| 10,000\/s, 100\.0 %, \*\*off rate in 1 of 4 rounds\*\* \|/)
  t.match(md, /\| ws-compat vs ws-raw, fixed rate echo 32 B server CPU \/ msg \(cpu\(ws-raw\) \/ cpu\(ws-compat\)\) \| >= 0\.95x \| 1\.000x \| 0\.800x - 1\.250x \| met \|/)
  t.match(md, /\| ws-compat \/ ws-raw, fixed rate server CPU \/ handshake \| <= 1\.05x \| 1\.040x \| 1\.040x - 1\.040x \| met \|/)
  t.notMatch(md, /### HTTP: `GET \/hello`/, 'no saturated tables in a run of the rate suite alone')
  t.notMatch(md, /By CPU/, 'nor the saturated targets')
  const svg = chartFor({ meta: { date: '2026-01-01T00:00:00.000Z', node: 'v20', cpus: 2, cpuModel: 'test', quick: false, rounds: 4, warmup: true, load }, samples, failures: [] })
  t.match(svg, /fixed rate, echo 32 B: CPU efficiency vs ws-raw \(higher is better\)/)
  t.match(svg, /fixed rate, handshakes: CPU efficiency vs ws-raw/)
})

t.test('a saved run from before the rate suite still renders, its normal-load target rows not measured', async (t) => {
  const old = {
    date: '2026-01-01T00:00:00.000Z',
    node: 'v20',
    cpus: 2,
    cpuModel: 'test',
    quick: false,
    rounds: 1,
    warmup: true,
    load: { http: { connections: 100 } },
    rows: [],
    ratios: [],
    targets: [],
    failures: [],
    samples: [s(1, 'ws-raw', 'mem_rss', 100), s(1, 'ws-compat', 'mem_rss', 120), s(1, 'node-http', 'http_rps', 10), s(1, 'router', 'http_rps', 10)]
  }
  const md = renderMarkdown(fromJson(old))
  t.notMatch(md, /Fixed rate/)
  t.match(md, /\| router \/ node-http, HTTP req\/s \| >= 1\.00x \| 1\.000x \| met \|/)
  t.match(md, /\| ws-compat \/ ws-raw, RSS \/ idle conn \| <= 1\.10x \| 1\.200x \| 1\.200x - 1\.200x \| \*\*missed\*\* \|/)
  t.match(md, /\| router vs node-http, fixed rate HTTP server CPU \/ req \(cpu\(node-http\) \/ cpu\(router\)\) \| >= 1\.00x \| n\/a \| n\/a \| not measured \|/)
  t.notMatch(chartFor(fromJson(old)), /fixed rate/)
})
