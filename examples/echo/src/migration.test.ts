/**
 * Keeps MIGRATION.md honest: every ```ts block is type-checked with the repository's compiler settings, the
 * ```ts run blocks are run (they must exit 0), the ```ts serve blocks are started as echo servers and
 * exercised over real sockets, and the Go -> TS table names every Go identifier of the Hertz guide. The
 * identifiers are `examples/echo/fixtures/hertz-guide-identifiers.json`: what `goNames` parses out of the Go code
 * of the Hertz documentation page ("Websocket", cloudwego.io). The page itself is not part of this repository;
 * where it sits beside the checkout (`../shared/seed/`), the list is re-parsed from it and must be equal, so it
 * cannot drift from the page.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { access, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import WebSocket from 'ws'
import { goNames, type GoNames } from './go-identifiers.js'
import { AppProcess, REPO_ROOT, waitListening } from './spawn-app.js'

// It type-checks the guide with tsc and runs real processes: on a busy 2-core machine that takes longer than
// tap's default 30 s per file.
t.setTimeout(180_000)

const GUIDE = join(REPO_ROOT, 'MIGRATION.md')
const HERTZ_IDENTIFIERS = join(REPO_ROOT, 'examples/echo/fixtures/hertz-guide-identifiers.json')
const HERTZ_GUIDE = join(REPO_ROOT, '../shared/seed/hertz-websocket-migration-guide.md')
const ECHO_DIR = join(REPO_ROOT, 'examples/echo')
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc')

/** How a block is exercised: `check` = type-checked only; `run` = run to exit 0; `serve` = run as an echo server. */
type Kind = 'check' | 'run' | 'serve'

interface Block {
  kind: Kind
  /** 1-based line of the opening fence in MIGRATION.md. */
  line: number
  code: string
  file: string
}

/** Pull the ```ts blocks out of the guide; the word after `ts` on the fence picks the kind. */
function extractBlocks (markdown: string): Array<Omit<Block, 'file'>> {
  const blocks: Array<Omit<Block, 'file'>> = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^```ts(?:\s+(\w+))?\s*$/.exec(lines[i] as string)
    if (open === null) continue
    const kind = (open[1] ?? 'check') as Kind
    if (!['check', 'run', 'serve'].includes(kind)) throw new Error(`MIGRATION.md:${i + 1}: unknown block kind ${kind}`)
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] as string)
    if (i === lines.length) throw new Error(`MIGRATION.md:${start + 1}: unterminated code block`)
    blocks.push({ kind, line: start + 1, code: body.join('\n') })
  }
  return blocks
}

/**
 * The identifier table: Go name (each backticked name of the first cell) -> the TypeScript cell. Table cells
 * may contain escaped pipes (`\\|`), which do not split.
 */
function identifierTable (markdown: string): Map<string, string> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Go → TS identifier table'))
  if (section === undefined) throw new Error('MIGRATION.md has no "## Go → TS identifier table" section')
  const table = new Map<string, string>()
  for (const row of section.split('\n')) {
    if (!row.startsWith('|') || /^\|\s*-/.test(row)) continue
    const cells = row.split(/(?<!\\)\|/).map((c) => c.trim())
    for (const m of (cells[1] as string).matchAll(/`([^`]+)`/g)) table.set(m[1] as string, cells[2] as string)
  }
  return table
}

const markdown = await readFile(GUIDE, 'utf8')
const dir = await mkdtemp(join(ECHO_DIR, '.migration-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

const blocks: Block[] = extractBlocks(markdown).map((b, i) => ({ ...b, file: join(dir, `block-${String(i + 1).padStart(2, '0')}-line-${b.line}.ts`) }))

/** A serve block's copy that listens on a free loopback port: the samples listen on :8080 like Hertz's. */
function servedFile (b: Block): string {
  return b.file.replace(/\.ts$/, '.serve.ts')
}

// Every file is written before the tests start, so that they can run side by side: tsc type-checks the blocks
// while the run and serve blocks run. Each block is its own module (`export {}`), so blocks may reuse names.
// Blocks import the example's page template as './home.js', so it is copied next to them.
for (const b of blocks) {
  await writeFile(b.file, `${b.code}\nexport {}\n`)
  if (b.kind === 'serve') await writeFile(servedFile(b), `${b.code}\nexport {}\n`.replace(/'(?:localhost)?:8080'/g, "'127.0.0.1:0'"))
}
await copyFile(join(ECHO_DIR, 'src/home.ts'), join(dir, 'home.ts'))
await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
  extends: relative(dir, join(REPO_ROOT, 'tsconfig.base.json')),
  compilerOptions: { noEmit: true, customConditions: ['hertz-source'], declaration: false, declarationMap: false },
  include: ['*.ts'],
  exclude: ['*.serve.ts']
}))
// The type-check is CPU work, the runs mostly wait for processes: three tests at a time.
t.jobs = 3

t.test('the guide has blocks of every kind', async (t) => {
  t.ok(blocks.length >= 10, `${blocks.length} ts blocks`)
  for (const kind of ['check', 'run', 'serve'] as const) t.ok(blocks.some((b) => b.kind === kind), `has ${kind} blocks`)
})

t.test('every Go identifier of the Hertz guide has a row in the table, with its TS counterpart', async (t) => {
  const table = identifierTable(markdown)
  const listed = JSON.parse(await readFile(HERTZ_IDENTIFIERS, 'utf8')) as Record<keyof GoNames, string[]>
  const seed = Object.fromEntries(Object.entries(listed).map(([k, v]) => [k, new Set(v)])) as unknown as GoNames
  if (await access(HERTZ_GUIDE).then(() => true, () => false)) {
    const parsed = goNames(await readFile(HERTZ_GUIDE, 'utf8'))
    for (const kind of Object.keys(listed) as Array<keyof GoNames>) {
      t.same([...parsed[kind]].sort(), listed[kind], `the ${kind} listed are those of the Hertz guide`)
    }
  }
  // The parser must see the guide's code at all: a few names of each kind it is known to use.
  for (const [kind, known] of [
    ['imports', ['context', 'flag', 'log', 'net/http', 'html/template', 'github.com/gorilla/websocket']],
    ['selectors', ['homeTemplate.Execute', 'c.Response.Header.Set', 'w.Header().Set', 'adaptor.HertzHandler']],
    ['exported', ['WriteBufferPool', 'SetReadTimeout', 'BufferPool']],
    ['builtins', ['len', 'nil', 'defer', 'interface{}', '*addr', 'equalASCIIFold']],
    ['commands', ['github.com/hertz-contrib/websocket', 'go get', 'go run']]
  ] as const) {
    for (const name of known) t.ok(seed[kind].has(name), `the Hertz guide's ${kind} include ${name}`)
  }

  const exact = [...seed.imports, ...seed.selectors, ...seed.builtins, ...seed.commands]
  for (const id of exact) {
    t.ok(table.has(id), `${id} has a row`)
    t.not(table.get(id) ?? '', '', `${id} names its TS counterpart`)
  }
  // A bare exported name (a struct field, a declared method) is covered by its own row or by a qualified one
  // (`Get` by `BufferPool.Get`).
  const keys = [...table.keys()]
  for (const id of seed.exported) {
    const key = keys.find((k) => k === id || k.endsWith(`.${id}`))
    t.ok(key, `${id} has a row`)
    t.not(key === undefined ? '' : table.get(key), '', `${id} names its TS counterpart`)
  }
})

t.test('every ts block type-checks with the repository settings', async (t) => {
  const { stdout: version } = await promisify(execFile)(process.execPath, [TSC, '--version'])
  t.match(version, /^Version 5\./, 'the TypeScript 5 compiler from node_modules')
  const result = await new Promise<{ code: number | null, out: string }>((resolve) => {
    execFile(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: REPO_ROOT },
      (err, stdout, stderr) => resolve({ code: err === null ? 0 : (err.code as number | null), out: stdout + stderr }))
  })
  const diagnostics = result.out.split('\n').filter((l) => l.trim() !== '')
  for (const b of blocks) {
    const name = b.file.slice(dir.length + 1)
    const mine = diagnostics.filter((l) => l.includes(name))
    t.same(mine, [], `MIGRATION.md:${b.line} (${b.kind}) type-checks`)
  }
  t.equal(result.code, 0, result.out)
})

for (const b of blocks.filter((b) => b.kind === 'run')) {
  t.test(`MIGRATION.md:${b.line} runs to exit 0`, async (t) => {
    const app = new AppProcess(`MIGRATION.md:${b.line}`, b.file, [])
    t.teardown(() => app.kill())
    let timer: NodeJS.Timeout | undefined
    const exit = await Promise.race([
      app.exited,
      new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), 30_000) })
    ])
    clearTimeout(timer)
    t.same(exit, { code: 0, signal: null }, app.output())
  })
}

for (const b of blocks.filter((b) => b.kind === 'serve')) {
  t.test(`MIGRATION.md:${b.line} serves the page and echoes`, async (t) => {
    const server = await waitListening(new AppProcess(`MIGRATION.md:${b.line}`, servedFile(b), []))
    t.teardown(() => server.app.kill())

    const page = await fetch(`http://${server.addr}/`)
    t.equal(page.status, 200)
    t.match(await page.text(), `ws://${server.addr}/echo`)

    const ws = new WebSocket(`ws://${server.addr}/echo`)
    t.teardown(() => ws.terminate())
    await once(ws, 'open')
    for (const data of ['Hello world!', Buffer.from([1, 2, 3])]) {
      const reply = once(ws, 'message') as Promise<[Buffer, boolean]>
      ws.send(data)
      const [message, isBinary] = await reply
      t.equal(isBinary, typeof data !== 'string')
      t.same(message, Buffer.from(data))
    }
    ws.close(1000)
    t.equal((await once(ws, 'close'))[0], 1000)
    t.same(await server.app.stop('SIGTERM'), { code: 0, signal: null }, server.app.output())
  })
}
