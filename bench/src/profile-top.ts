/**
 * `node --import tsx bench/src/profile-top.ts FILE.cpuprofile [--top N] [--callers FUNCTION]`
 *
 * Summarises a V8 CPU profile (as written by `pnpm bench --cpu-prof`): the hottest functions by
 * self time, by inclusive time, and self time per module, as shares of the non-idle samples;
 * with `--callers`, the call paths leading into one function instead.
 */
import { readFile } from 'node:fs/promises'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, hitCount?: number, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], samples: number[] }

/** One line of a summary: a key and its share (0-1) of the busy samples. */
interface Share { key: string, share: number }

/** The three views of a profile. */
interface ProfileSummary {
  busySamples: number
  self: Share[]
  inclusive: Share[]
  modules: Share[]
}

const IDLE = new Set(['(idle)', '(root)'])

function frameKey (f: CallFrame): string {
  const where = f.url === '' ? '' : ` ${shortUrl(f.url)}:${f.lineNumber + 1}`
  return `${f.functionName === '' ? '(anonymous)' : f.functionName}${where}`
}

/** A readable module name: the package and file inside node_modules, else the repo-relative path. */
function shortUrl (url: string): string {
  const path = url.replace(/^file:\/\//, '')
  const nm = path.lastIndexOf('/node_modules/')
  if (nm !== -1) return path.slice(nm + '/node_modules/'.length)
  const repo = path.search(/\/(packages|bench|examples)\//)
  return repo === -1 ? path : path.slice(repo + 1)
}

function moduleKey (f: CallFrame): string {
  if (f.url === '') return f.functionName
  return shortUrl(f.url)
}

function top (counts: Map<string, number>, total: number, n: number): Share[] {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, c]) => ({ key, share: c / total }))
}

/**
 * Who calls `name`: for every busy sample whose stack contains a function called `name`, the
 * `depth` frames above its topmost occurrence, as one call path.
 */
function callersOf (profile: CpuProfile, name: string, n: number, depth = 3): Share[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id)
  const paths = new Map<string, number>()
  let busy = 0
  for (const id of profile.samples) {
    const leaf = byId.get(id)
    if (leaf === undefined || IDLE.has(leaf.callFrame.functionName)) continue
    busy++
    let hit: number | undefined
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      if ((byId.get(cur) as ProfileNode).callFrame.functionName === name) hit = cur
    }
    if (hit === undefined) continue
    const path: string[] = []
    for (let cur = parent.get(hit); cur !== undefined && path.length < depth; cur = parent.get(cur)) {
      const frame = (byId.get(cur) as ProfileNode).callFrame
      if (IDLE.has(frame.functionName)) break
      path.push(frameKey(frame))
    }
    const key = path.join('  <-  ')
    paths.set(key, (paths.get(key) ?? 0) + 1)
  }
  return top(paths, Math.max(1, busy), n)
}

/** Summarises a parsed profile; `n` lines per view. */
function summarizeProfile (profile: CpuProfile, n = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id)

  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const modules = new Map<string, number>()
  let busy = 0
  for (const id of profile.samples) {
    const node = byId.get(id)
    if (node === undefined || IDLE.has(node.callFrame.functionName)) continue
    busy++
    const key = frameKey(node.callFrame)
    self.set(key, (self.get(key) ?? 0) + 1)
    const mod = moduleKey(node.callFrame)
    modules.set(mod, (modules.get(mod) ?? 0) + 1)
    // Each function once per sample, however deep its recursion.
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = (byId.get(cur) as ProfileNode).callFrame
      if (IDLE.has(frame.functionName)) continue
      const k = frameKey(frame)
      if (seen.has(k)) continue
      seen.add(k)
      inclusive.set(k, (inclusive.get(k) ?? 0) + 1)
    }
  }
  const total = Math.max(1, busy)
  return { busySamples: busy, self: top(self, total, n), inclusive: top(inclusive, total, n), modules: top(modules, total, n) }
}

function print (title: string, rows: Share[]): void {
  console.log(`\n${title}`)
  for (const r of rows) console.log(`${(r.share * 100).toFixed(1).padStart(6)} %  ${r.key}`)
}

async function main (): Promise<void> {
  const args = process.argv.slice(2)
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name)
    return i === -1 ? undefined : args[i + 1]
  }
  const n = Number(option('--top') ?? 25)
  const callers = option('--callers')
  const depth = Number(option('--depth') ?? 3)
  const file = args.find((a, i) => !a.startsWith('--') && !['--top', '--callers', '--depth'].includes(args[i - 1] ?? ''))
  if (file === undefined) {
    console.error('usage: node --import tsx bench/src/profile-top.ts FILE.cpuprofile [--top N] [--callers FUNCTION [--depth N]]')
    process.exit(2)
  }
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  if (callers !== undefined) {
    print(`call paths into ${callers} (share of busy samples spent under it)`, callersOf(profile, callers, n, depth))
    return
  }
  const summary = summarizeProfile(profile, n)
  console.log(`${file}: ${summary.busySamples} busy samples`)
  print('self time', summary.self)
  print('inclusive time', summary.inclusive)
  print('self time by module', summary.modules)
}

await main()
