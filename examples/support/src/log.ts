/**
 * A small twin of Go's `log` package, so the example apps print what their Go originals print: to stderr, with
 * the `2006/01/02 15:04:05 ` date prefix unless `log.setFlags(0)`, and with `fmt`'s operand rules
 * (`log.print('upgrade:', err)` glues the operands, `log.println` separates them with spaces).
 */

/** Go's `log.LstdFlags`: date and time prefix. */
export const LstdFlags = 3

/** Turn one operand into text the way `fmt`'s `%v` would for the values the apps log. */
function text (value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Error) return value.message
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')
  return String(value)
}

/** `fmt.Sprint`: a space goes between two operands only when neither is a string. */
export function sprint (...values: unknown[]): string {
  let out = ''
  for (let i = 0; i < values.length; i++) {
    if (i > 0 && typeof values[i] !== 'string' && typeof values[i - 1] !== 'string') out += ' '
    out += text(values[i])
  }
  return out
}

/** `fmt.Sprintln` without the newline: operands always separated by spaces. */
export function sprintln (...values: unknown[]): string {
  return values.map(text).join(' ')
}

/** `fmt.Sprintf` for the verbs the apps use: `%s`, `%v`, `%d`, `%q` and `%%`. */
export function sprintf (format: string, ...values: unknown[]): string {
  let next = 0
  return format.replace(/%([svdq%])/g, (_, verb: string) => {
    if (verb === '%') return '%'
    if (next >= values.length) return `%!${verb}(MISSING)`
    const value = values[next++]
    return verb === 'q' ? JSON.stringify(text(value)) : text(value)
  })
}

function pad (n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

export class Logger {
  private flags = LstdFlags

  /** Go's `log.SetFlags`; `0` drops the date prefix. */
  setFlags (flags: number): void {
    this.flags = flags
  }

  private output (line: string): void {
    let prefix = ''
    if (this.flags !== 0) {
      const d = new Date()
      prefix = `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ` +
        `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} `
    }
    process.stderr.write(line.endsWith('\n') ? prefix + line : `${prefix}${line}\n`)
  }

  /** Go's `log.Print`. */
  print (...values: unknown[]): void {
    this.output(sprint(...values))
  }

  /** Go's `log.Println`. */
  println (...values: unknown[]): void {
    this.output(sprintln(...values))
  }

  /** Go's `log.Printf`. */
  printf (format: string, ...values: unknown[]): void {
    this.output(sprintf(format, ...values))
  }

  /** Go's `log.Fatal`: print, then exit with status 1. */
  fatal (...values: unknown[]): never {
    this.output(sprint(...values))
    process.exit(1)
  }
}

/** The standard logger (Go's package-level `log` functions). */
export const log: Logger = new Logger()
