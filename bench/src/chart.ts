/**
 * A hand-written SVG bar chart of ratios: one group per metric, one horizontal bar per variant,
 * a dashed line at 1.00x (the baseline). No dependency, stable output for diffs.
 */

/** One bar. */
export interface Bar {
  label: string
  ratio: number
}

/** One metric's bars. */
export interface BarGroup {
  title: string
  bars: Bar[]
}

const WIDTH = 760
const LABEL_W = 170
const VALUE_W = 60
const BAR_H = 14
const BAR_GAP = 4
const GROUP_HEAD = 22
const GROUP_GAP = 10
const TOP = 34
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f']

function escapeXml (s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string)
}

/** Renders the groups as an SVG document; `colorOf` keeps one colour per label across groups. */
export function renderChart (title: string, groups: BarGroup[]): string {
  const labels = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.label)))]
  const colorOf = (label: string): string => PALETTE[labels.indexOf(label) % PALETTE.length] as string
  const finite = groups.flatMap((g) => g.bars.map((b) => b.ratio)).filter(Number.isFinite)
  const maxRatio = Math.max(1.25, ...finite.map((r) => r * 1.05))
  const plotW = WIDTH - LABEL_W - VALUE_W - 10
  const x = (r: number): number => LABEL_W + (Math.min(r, maxRatio) / maxRatio) * plotW

  const out: string[] = []
  let y = TOP
  for (const g of groups) {
    out.push(`<text x="8" y="${y + 14}" class="group">${escapeXml(g.title)}</text>`)
    y += GROUP_HEAD
    for (const b of g.bars) {
      out.push(`<text x="${LABEL_W - 6}" y="${y + BAR_H - 3}" class="label" text-anchor="end">${escapeXml(b.label)}</text>`)
      if (Number.isFinite(b.ratio)) {
        const w = Math.max(1, x(b.ratio) - LABEL_W)
        out.push(`<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${colorOf(b.label)}"/>`)
        out.push(`<text x="${(LABEL_W + w + 4).toFixed(1)}" y="${y + BAR_H - 3}" class="value">${b.ratio.toFixed(2)}x</text>`)
      } else {
        out.push(`<text x="${LABEL_W + 4}" y="${y + BAR_H - 3}" class="value">not measured</text>`)
      }
      y += BAR_H + BAR_GAP
    }
    y += GROUP_GAP
  }
  const height = y + 10
  const one = x(1).toFixed(1)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>.title{font-size:15px;font-weight:bold}.group{font-size:13px;font-weight:bold;fill:#333}.label{font-size:12px;fill:#333}.value{font-size:11px;fill:#333}.axis{font-size:11px;fill:#666}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" class="title">${escapeXml(title)}</text>`,
    ...out,
    `<line x1="${one}" y1="${TOP - 4}" x2="${one}" y2="${height - 12}" stroke="#666" stroke-dasharray="4 3"/>`,
    `<text x="${one}" y="${TOP - 8}" class="axis" text-anchor="middle">1.00x</text>`,
    '</svg>',
    ''
  ].join('\n')
}
