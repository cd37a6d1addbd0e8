/**
 * Test support: lists the Go names a Markdown page's code uses, so the migration guide's Go -> TS table can be
 * checked against the page itself rather than against a list someone remembered to update.
 *
 * From every ```go block (comments and string literals removed first):
 * - imported package paths (`context`, `net/http`, `github.com/gorilla/websocket`);
 * - selector chains as written (`log.Println`, `c.Response.Header.Set`, `w.Header().Set`, `time.Second`);
 * - exported names that stand outside any chain: struct fields in literals (`WriteBufferPool:`), declared
 *   methods (`Get`), methods reached through a type assertion (`.(network.Conn).SetReadTimeout`);
 * - predeclared identifiers (`len`, `string`, `nil`, `error`, `int`, `bool`), Go-only keywords (`defer`) and the
 *   empty interface (`interface{}`);
 * - functions called but declared nowhere on the page (`b2s`, `equalASCIIFold`);
 * - dereferenced flag pointers passed as arguments (`*addr`).
 * From every ```sh / ```shell block: `go <subcommand>` for go commands, the whole line otherwise.
 */

/** What the page uses, by kind; `all()` is every name once. */
export interface GoNames {
  imports: Set<string>
  selectors: Set<string>
  /** Exported names outside any selector chain. */
  exported: Set<string>
  /** Predeclared identifiers, Go-only keywords, undeclared functions and pointer dereferences. */
  builtins: Set<string>
  commands: Set<string>
}

// https://go.dev/ref/spec#Predeclared_identifiers
const PREDECLARED = new Set([
  'any', 'bool', 'byte', 'comparable', 'complex64', 'complex128', 'error', 'float32', 'float64', 'int', 'int8',
  'int16', 'int32', 'int64', 'rune', 'string', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr',
  'true', 'false', 'iota', 'nil',
  'append', 'cap', 'clear', 'close', 'complex', 'copy', 'delete', 'imag', 'len', 'make', 'max', 'min', 'new',
  'panic', 'print', 'println', 'real', 'recover'
])

/** Keywords with no same-named TypeScript construct: each needs a line in the table. */
const GO_ONLY_KEYWORDS = new Set(['defer', 'go', 'chan', 'select', 'goto', 'fallthrough'])

const KEYWORDS = new Set([
  'break', 'case', 'chan', 'const', 'continue', 'default', 'defer', 'else', 'fallthrough', 'for', 'func', 'go',
  'goto', 'if', 'import', 'interface', 'map', 'package', 'range', 'return', 'select', 'struct', 'switch', 'type',
  'var'
])

/** The bodies of the fenced blocks whose info string is one of `langs`. */
export function fencedBlocks (markdown: string, langs: readonly string[]): string[] {
  const blocks: string[] = []
  const re = /^```(\w+)[^\n]*\n([\s\S]*?)^```\s*$/gm
  for (const m of markdown.matchAll(re)) if (langs.includes(m[1] as string)) blocks.push(m[2] as string)
  return blocks
}

/** Drop comments, and replace string and rune literals with empty ones, so their text is not read as code. */
function stripLiterals (code: string): string {
  return code
    .replace(/"(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)*'|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
      (m) => (m.startsWith('/') ? '' : '""'))
}

/** Collect the Go names of a Markdown page (see the module comment for what counts). */
export function goNames (markdown: string): GoNames {
  const names: GoNames = {
    imports: new Set(), selectors: new Set(), exported: new Set(), builtins: new Set(), commands: new Set()
  }
  const goBlocks = fencedBlocks(markdown, ['go'])

  for (const raw of goBlocks) {
    const importSpecs = /\bimport\s*(?:\(([^)]*)\)|("[^"]+"))/g
    for (const m of raw.matchAll(importSpecs)) {
      for (const path of (m[1] ?? m[2] as string).matchAll(/"([^"]+)"/g)) names.imports.add(path[1] as string)
    }
  }

  const codes = goBlocks.map((b) => stripLiterals(b).replace(/\bimport\s*(?:\([^)]*\)|"")/g, ''))
  // Functions declared on the page (plain or methods): calls to them need no row.
  const declared = new Set<string>()
  for (const code of codes) {
    for (const m of code.matchAll(/\bfunc\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/g)) declared.add(m[1] as string)
  }

  for (const code of codes) {
    // Maximal chains a.b.c, where a link may follow a call: w.Header().Set.
    const chain = /(?<![\w.)])([A-Za-z_]\w*)((?:(?:\(\))?\.[A-Za-z_]\w*)+)/g
    const covered: Array<[number, number]> = []
    for (const m of code.matchAll(chain)) {
      names.selectors.add(m[0])
      covered.push([m.index, m.index + m[0].length])
    }
    const inChain = (i: number): boolean => covered.some(([from, to]) => i >= from && i < to)

    for (const m of code.matchAll(/\b[A-Z]\w*/g)) {
      if (!inChain(m.index)) names.exported.add(m[0])
    }
    for (const m of code.matchAll(/(?<![\w.])[a-z_]\w*/g)) {
      const word = m[0]
      if (PREDECLARED.has(word) || GO_ONLY_KEYWORDS.has(word)) names.builtins.add(word)
    }
    if (/\binterface\s*\{\s*\}/.test(code)) names.builtins.add('interface{}')
    for (const m of code.matchAll(/(?<![\w.])([a-z_]\w*)\s*\(/g)) {
      const fn = m[1] as string
      if (!KEYWORDS.has(fn) && !declared.has(fn) && !inChain(m.index)) names.builtins.add(fn)
    }
    for (const m of code.matchAll(/[(,]\s*\*([a-z_]\w*)\s*[),]/g)) names.builtins.add(`*${m[1] as string}`)
  }

  for (const block of fencedBlocks(markdown, ['sh', 'shell'])) {
    for (const line of block.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
      const go = /^go\s+(\w+)/.exec(line)
      names.commands.add(go === null ? line : `go ${go[1] as string}`)
    }
  }
  return names
}
