/** Router servers for tests: on 127.0.0.1 with an ephemeral port, a logger that records, closed at teardown. */
import { server, type Engine, type Hertz, type Logger, type Option } from '@hertz-node/router'
import type { Teardown } from './teardown.js'

const LOCAL = server.withHostPorts('127.0.0.1:0')

/** `server.New` listening on 127.0.0.1 with an ephemeral port (later options may override). */
export function New (...opts: Option[]): Hertz {
  return server.New(LOCAL, ...opts)
}

/** `server.Default` listening on 127.0.0.1 with an ephemeral port. */
export function Default (...opts: Option[]): Hertz {
  return server.Default(LOCAL, ...opts)
}

/** A logger that records lines instead of printing them. */
export class MemoryLogger implements Logger {
  lines: string[] = []
  info (...args: unknown[]): void { this.lines.push('info ' + args.join(' ')) }
  warn (...args: unknown[]): void { this.lines.push('warn ' + args.join(' ')) }
  error (...args: unknown[]): void { this.lines.push('error ' + args.join(' ')) }
  text (): string { return this.lines.join('\n') }
}

/** Runs `h` on 127.0.0.1 with an ephemeral port, closes it at teardown, returns the base URL. */
export async function start (t: Teardown, h: Engine): Promise<{ url: string, port: number, logger: MemoryLogger }> {
  const logger = new MemoryLogger()
  h.logger = logger
  await h.run()
  t.teardown(() => h.close())
  const port = h.address().port
  return { url: `http://127.0.0.1:${port}`, port, logger }
}
