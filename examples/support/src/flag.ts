/**
 * Command-line flags in the style of Go's `flag` package, so the example apps keep the Go examples' shape:
 * `const addr = flag.string('addr', 'localhost:8080', 'http service address')`, then `flag.parse()`, then
 * `addr.value` where Go writes `*addr`. Accepts `-name value`, `-name=value`, `--name value`, `--name=value`.
 */

/** A parsed flag's value; Go hands out a `*string`, TS a box read through `.value`. */
export interface StringFlag {
  value: string
}

interface FlagDef {
  name: string
  usage: string
  defaultValue: string
  box: StringFlag
}

/** Thrown by `FlagSet.parse` for unknown flags, missing values and `-h` / `-help`. */
export class FlagError extends Error {
  /** `'help'` when the user asked for usage, `'invalid'` otherwise. */
  readonly kind: 'help' | 'invalid'

  constructor (message: string, kind: 'help' | 'invalid') {
    super(message)
    this.name = 'FlagError'
    this.kind = kind
  }
}

/** A set of string flags; the command line's set is `flag` below. */
export class FlagSet {
  readonly name: string
  private readonly defs = new Map<string, FlagDef>()
  private rest: string[] = []

  constructor (name: string) {
    this.name = name
  }

  /** Define a string flag with a default and a usage line; the box is filled by `parse`. */
  string (name: string, value: string, usage: string): StringFlag {
    if (this.defs.has(name)) throw new Error(`flag redefined: ${name}`)
    const box = { value }
    this.defs.set(name, { name, usage, defaultValue: value, box })
    return box
  }

  /** Parse `args` (without the program and script paths). Stops at the first non-flag or at `--`. */
  parse (args: readonly string[]): void {
    let i = 0
    while (i < args.length) {
      const arg = args[i] as string
      if (arg === '--') { i++; break }
      if (arg.length < 2 || arg[0] !== '-') break
      const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1)
      if (body === '' || body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${arg}`, 'invalid')
      const eq = body.indexOf('=')
      const name = eq === -1 ? body : body.slice(0, eq)
      const def = this.defs.get(name)
      if (def === undefined) {
        if (name === 'h' || name === 'help') throw new FlagError('flag: help requested', 'help')
        throw new FlagError(`flag provided but not defined: -${name}`, 'invalid')
      }
      if (eq !== -1) {
        def.box.value = body.slice(eq + 1)
        i++
        continue
      }
      if (i + 1 >= args.length) throw new FlagError(`flag needs an argument: -${name}`, 'invalid')
      def.box.value = args[i + 1] as string
      i += 2
    }
    this.rest = args.slice(i)
  }

  /** The arguments left after the flags. */
  args (): string[] {
    return this.rest.slice()
  }

  /** The usage text Go's `flag.PrintDefaults` would print. */
  usage (): string {
    let text = `Usage of ${this.name}:\n`
    for (const def of [...this.defs.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      text += `  -${def.name} string\n    \t${def.usage} (default ${JSON.stringify(def.defaultValue)})\n`
    }
    return text
  }
}

/** The process's command line flags, with Go's `flag.ExitOnError` behaviour in `parse`. */
export const commandLine = new FlagSet(process.argv[1] ?? 'example')

/** Go's package-level `flag` functions over `commandLine`. */
export const flag = {
  /** Define a string flag on the command line. */
  string (name: string, value: string, usage: string): StringFlag {
    return commandLine.string(name, value, usage)
  },

  /**
   * Parse `process.argv`; like Go's `flag.Parse`, a bad command line prints the error and usage to stderr
   * and exits with status 2, and `-h` prints usage and exits with status 0.
   */
  parse (): void {
    try {
      commandLine.parse(process.argv.slice(2))
    } catch (err) {
      if (!(err instanceof FlagError)) throw err
      if (err.kind === 'invalid') process.stderr.write(`${err.message}\n`)
      process.stderr.write(commandLine.usage())
      process.exit(err.kind === 'help' ? 0 : 2)
    }
  },

  /** The non-flag arguments. */
  args (): string[] {
    return commandLine.args()
  },

  /** How many non-flag arguments there are (Go's `flag.NArg`). */
  nArg (): number {
    return commandLine.args().length
  }
}
