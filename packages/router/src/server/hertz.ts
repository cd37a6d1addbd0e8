import { constants } from 'node:os'
import { Engine } from './engine.js'
import { formatError, type Logger } from '../errors.js'

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** The server (Hertz's `server.Hertz`): an {@link Engine} plus `spin()`. */
export class Hertz extends Engine {
  /**
   * Runs the server, logs its address and waits for SIGINT, SIGTERM or SIGHUP; then shuts down gracefully and exits
   * the process (code 0; 1 when the server could not start). As in Hertz, the signal handlers stay installed during
   * the shutdown: a second signal is logged and ignored, so it cannot cut the shutdown short. A third one exits at
   * once, with the code a process killed by that signal reports (128 + its number: 130 for SIGINT, 143 for SIGTERM).
   */
  async spin (): Promise<void> {
    try {
      await this.run()
    } catch (err) {
      this.logger.error(`Run error=${formatError(err)}`)
      await this.close()
      process.exit(1)
    }
    const a = this.address()
    this.logger.info(`HTTP server listening on address=${a.family === 'IPv6' ? `[${a.address}]` : a.address}${a.port === 0 && a.family === 'unix' ? '' : ':' + String(a.port)}`)
    const sig = await waitSignal(this.logger)
    this.logger.info(`Received signal: ${sig}`)
    try {
      await this.shutdown()
    } catch (err) {
      this.logger.error(`Shutdown error=${formatError(err)}`)
    }
    process.exit(0)
  }
}

/**
 * Resolves with the first signal. The handlers are never removed (the process exits after the shutdown): without
 * them a later signal would kill the process with the default action, in the middle of the graceful shutdown.
 */
function waitSignal (logger: Logger): Promise<NodeJS.Signals> {
  return new Promise(resolve => {
    let received = 0
    const on = (sig: NodeJS.Signals): void => {
      received++
      if (received === 1) {
        resolve(sig)
      } else if (received === 2) {
        // Signals often come twice (a terminal signals the whole process group, a wrapper forwards what it got, an
        // impatient operator presses Ctrl-C again): that must not cost the requests in flight.
        logger.warn(`Received signal: ${sig} during the graceful shutdown, ignored (one more exits at once)`)
      } else {
        logger.error(`Received signal: ${sig} again, exiting at once without finishing the graceful shutdown`)
        process.exit(128 + constants.signals[sig])
      }
    }
    for (const name of SIGNALS) process.on(name, on)
  })
}
