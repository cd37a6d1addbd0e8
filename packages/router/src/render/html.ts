import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { Liquid, type Template } from 'liquidjs'
import { HertzError, HertzErrorCode } from '../errors.js'
import { globFiles } from './glob.js'

/** Functions callable from templates, as filters (`{{ now | formatAsDate }}`; Go's `template.FuncMap`). */
export type FuncMap = Record<string, (value: unknown, ...args: unknown[]) => unknown>

/** Template delimiters (Go's `Delims`): output actions are `left ... right`, tags `tagLeft ... tagRight`. */
export interface Delims {
  /** Opens an output action. */
  readonly left: string
  /** Closes an output action. */
  readonly right: string
  /** Opens a tag. */
  readonly tagLeft: string
  /** Closes a tag. */
  readonly tagRight: string
}

/**
 * The engine's HTML templates (Hertz's `HTMLRender` with Go's html/template), on liquidjs: templates are loaded and
 * parsed once by `h.loadHTMLGlob` / `h.loadHTMLFiles`, named by their file's base name, and every output is
 * HTML-escaped unless piped through `raw`. A loaded template can `{% include 'other.html' %}` another by name.
 */
export class HTMLRender {
  readonly #sources = new Map<string, string>()
  readonly #parsed = new Map<string, Template[]>()
  #liquid: Liquid

  /**
   * @param delims - the delimiters (Go's default `{{` `}}`)
   * @param funcs - the functions templates may call
   */
  constructor (delims: Delims, funcs: FuncMap) {
    const sources = this.#sources
    this.#liquid = new Liquid({
      outputEscape: 'escape',
      strictFilters: true,
      outputDelimiterLeft: delims.left,
      outputDelimiterRight: delims.right,
      tagDelimiterLeft: delims.tagLeft,
      tagDelimiterRight: delims.tagRight,
      extname: '',
      relativeReference: false,
      // Includes resolve among the loaded templates, by name, never from the disk at render time.
      fs: {
        exists: async (f: string) => sources.has(f),
        existsSync: (f: string) => sources.has(f),
        readFile: async (f: string) => sources.get(f) ?? '',
        readFileSync: (f: string) => sources.get(f) ?? '',
        resolve: (_dir: string, file: string) => file,
        contains: async () => true,
        containsSync: () => true,
        dirname: () => '',
        sep: '/'
      },
      root: ['']
    })
    for (const [name, fn] of Object.entries(funcs)) this.#liquid.registerFilter(name, fn)
  }

  /** Loads and parses `files` (throws on a missing file or a template that does not parse, as Go panics). */
  load (files: readonly string[]): void {
    for (const file of files) {
      const name = basename(file)
      const text = readFileSync(file, 'utf8')
      this.#sources.set(name, text)
      this.#parsed.set(name, this.#liquid.parse(text, name))
    }
  }

  /** Loads every file matching the glob `pattern`; none matching throws, as Go's `template.Must(ParseGlob)`. */
  loadGlob (pattern: string): void {
    const files = globFiles(pattern)
    if (files.length === 0) throw new HertzError(HertzErrorCode.TEMPLATE_NOT_FOUND, `html/template: pattern matches no files: \`${pattern}\``)
    this.load(files)
  }

  /** True when a template of that name was loaded. */
  has (name: string): boolean {
    return this.#parsed.has(name)
  }

  /**
   * Renders the template `name` with `data` (its properties are the template's variables). Throws
   * `HERTZ_ERR_TEMPLATE_NOT_FOUND` for an unknown name, and the engine's error for a failed render.
   */
  render (name: string, data: unknown): string {
    const tpl = this.#parsed.get(name)
    if (tpl === undefined) throw new HertzError(HertzErrorCode.TEMPLATE_NOT_FOUND, `html/template: "${name}" is undefined`)
    const scope = data !== null && typeof data === 'object' ? data as object : {}
    return this.#liquid.renderSync(tpl, scope) as string
  }
}
