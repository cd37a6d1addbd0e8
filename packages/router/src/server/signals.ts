import { constants } from 'node:os'
import type { Logger } from '../errors.js'

/** The signals `spin()` shuts down on. */
export const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** The exit code of a process killed by `sig` (128 + its number: 130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode (sig: NodeJS.Signals): number {
  return 128 + constants.signals[sig]
}

/**
 * When a graceful shutdown begins, and what cuts it short: the first signal (or {@link begin}) starts it, a later
 * signal is logged and ignored, the third signal calls `exitNow`. The handlers are never removed (the process exits
 * after the shutdown): without them a later signal would kill the process with the default action, in the middle of
 * the graceful shutdown.
 */
export class ShutdownTrigger {
  /** Resolves with what began the shutdown, as a log line (`Received signal: SIGTERM`). */
  readonly begun: Promise<string>
  #resolve!: (why: string) => void
  #started = false
  #signals = 0

  /**
   * @param logger - where the ignored and the final signals are logged
   * @param exitNow - called on the third signal; exits the process by default with that signal's code
   */
  constructor (logger: Logger, exitNow: (sig: NodeJS.Signals) => void = sig => process.exit(signalExitCode(sig))) {
    this.begun = new Promise(resolve => { this.#resolve = resolve })
    const on = (sig: NodeJS.Signals): void => {
      this.#signals++
      if (!this.#started) {
        this.begin(`Received signal: ${sig}`)
      } else if (this.#signals < 3) {
        // Signals often come twice (a terminal signals the whole process group, a wrapper forwards what it got, an
        // impatient operator presses Ctrl-C again): that must not cost the requests in flight.
        const left = this.#signals === 2 ? 'one more exits' : 'two more exit'
        logger.warn(`Received signal: ${sig} during the graceful shutdown, ignored (${left} at once)`)
      } else {
        logger.error(`Received signal: ${sig} again, exiting at once without finishing the graceful shutdown`)
        exitNow(sig)
      }
    }
    for (const name of SIGNALS) process.on(name, on)
  }

  /** Begins the shutdown for another reason than a signal (a primary's request); it does not count as a signal. */
  begin (why: string): void {
    if (this.#started) return
    this.#started = true
    this.#resolve(why)
  }
}
