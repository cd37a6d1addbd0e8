/**
 * A hand-written SVG chart of ratios to a baseline: one group per metric, one bar per variant,
 * drawn from the 1.00x line on a log2 scale (2x and 0.5x are the same length), green when the
 * variant beats the baseline, red when it trails, with a tick at the target where there is one.
 * No dependency; stable output, so it diffs well.
 */

/** One bar. */
export interface Bar {
  label: string
  ratio: number
  /** The target ratio, drawn as a tick. */
  goal?: number
}

/** One metric's bars. */
export interface BarGroup {
  title: string
  /** Whether a ratio above 1 is the good side (throughput) or the bad one (memory). */
  higherIsBetter: boolean
  bars: Bar[]
}

const WIDTH = 760
const LABEL_W = 150
const VALUE_W = 70
const PLOT_L = LABEL_W + 10
const PLOT_R = WIDTH - VALUE_W
const BAR_H = 14
const BAR_GAP = 5
const GROUP_HEAD = 22
const GROUP_GAP = 10
const TOP = 58
const GOOD = '#59a14f'
const BAD = '#e15759'
const TICKS = [0.125, 0.25, 0.5, 1, 2, 4, 8]

function escapeXml (s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string)
}

const f1 = (n: number): string => n.toFixed(1)

/** Renders the groups as an SVG document. */
export function renderChart (title: string, groups: BarGroup[]): string {
  const logs = groups.flatMap((g) => g.bars.flatMap((b) => [b.ratio, b.goal ?? 1])).filter((r) => Number.isFinite(r) && r > 0).map(Math.log2)
  const lo = Math.min(-1, Math.floor(Math.min(...logs) * 2) / 2)
  const hi = Math.max(1, Math.ceil(Math.max(...logs) * 2) / 2)
  const x = (r: number): number => PLOT_L + ((Math.log2(r) - lo) / (hi - lo)) * (PLOT_R - PLOT_L)

  const body: string[] = []
  let y = TOP
  for (const g of groups) {
    body.push(`<text x="8" y="${y + 15}" class="group">${escapeXml(g.title)}</text>`)
    y += GROUP_HEAD
    for (const b of g.bars) {
      const mid = y + BAR_H - 3
      body.push(`<text x="${LABEL_W}" y="${mid}" class="label" text-anchor="end">${escapeXml(b.label)}</text>`)
      if (Number.isFinite(b.ratio) && b.ratio > 0) {
        const x0 = x(1)
        const x1 = x(b.ratio)
        const good = (b.ratio >= 1) === g.higherIsBetter
        body.push(`<rect x="${f1(Math.min(x0, x1))}" y="${y}" width="${f1(Math.max(1, Math.abs(x1 - x0)))}" height="${BAR_H}" fill="${good ? GOOD : BAD}"/>`)
        body.push(`<text x="${WIDTH - 8}" y="${mid}" class="value" text-anchor="end">${b.ratio.toFixed(2)}x</text>`)
      } else {
        body.push(`<text x="${WIDTH - 8}" y="${mid}" class="value" text-anchor="end">n/a</text>`)
      }
      if (b.goal !== undefined) {
        body.push(`<line x1="${f1(x(b.goal))}" y1="${y - 2}" x2="${f1(x(b.goal))}" y2="${y + BAR_H + 2}" class="goal"/>`)
      }
      y += BAR_H + BAR_GAP
    }
    y += GROUP_GAP
  }
  const height = y + 24

  const grid: string[] = []
  for (const t of TICKS) {
    if (Math.log2(t) < lo || Math.log2(t) > hi) continue
    const gx = f1(x(t))
    grid.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${height - 28}" class="${t === 1 ? 'one' : 'grid'}"/>`)
    grid.push(`<text x="${gx}" y="${TOP - 10}" class="axis" text-anchor="middle">${t < 1 ? t.toString().replace(/^0/, '') : t}x</text>`)
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>.title{font-size:15px;font-weight:bold}.group{font-size:13px;font-weight:bold;fill:#333}.label{font-size:12px;fill:#333}' +
      '.value{font-size:12px;fill:#333}.axis{font-size:11px;fill:#666}.legend{font-size:11px;fill:#555}' +
      '.grid{stroke:#ddd}.one{stroke:#555;stroke-dasharray:4 3}.goal{stroke:#000;stroke-width:2}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" class="title">${escapeXml(title)}</text>`,
    ...grid,
    ...body,
    `<rect x="8" y="${height - 17}" width="10" height="10" fill="${GOOD}"/><text x="22" y="${height - 8}" class="legend">better than the baseline</text>`,
    `<rect x="170" y="${height - 17}" width="10" height="10" fill="${BAD}"/><text x="184" y="${height - 8}" class="legend">worse</text>`,
    `<line x1="240" y1="${height - 18}" x2="240" y2="${height - 6}" class="goal"/><text x="246" y="${height - 8}" class="legend">target (log2 scale)</text>`,
    '</svg>',
    ''
  ].join('\n')
}
