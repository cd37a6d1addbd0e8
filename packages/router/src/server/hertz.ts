import { Engine } from './engine.js'
import { formatError } from '../errors.js'
import { ShutdownTrigger } from './signals.js'
import { isWorker, shouldFork, superviseWorkers, workerCount, workerShutdownTrigger } from './workers.js'

/** The server (Hertz's `server.Hertz`): an {@link Engine} plus `spin()`. */
export class Hertz extends Engine {
  /**
   * Runs the server, logs its address and waits for SIGINT, SIGTERM or SIGHUP; then shuts down gracefully and exits
   * the process (code 0; 1 when the server could not start). As in Hertz, the signal handlers stay installed during
   * the shutdown: a second signal is logged and ignored, so it cannot cut the shutdown short. A third one exits at
   * once, with the code a process killed by that signal reports (128 + its number: 130 for SIGINT, 143 for SIGTERM).
   *
   * With `withWorkers(n)` (n > 1, or 0 on a machine of several cores) this process becomes the primary of `n`
   * workers instead (node:cluster): each runs this same script up to its own `spin()`, which serves; the primary
   * forwards the shutdown to them and exits 0 after the last one (see `withWorkers`). The returned promise then
   * never settles: the process exits from the primary's supervision.
   */
  async spin (): Promise<void> {
    const n = workerCount(this.options.workers)
    if (shouldFork(n)) {
      superviseWorkers(this, n)
      return await new Promise<never>(() => {})
    }
    // A worker listens for the primary's request from the start: one sent while it was starting is not lost.
    const worker = isWorker() ? workerShutdownTrigger(this.logger) : null
    try {
      await this.run()
    } catch (err) {
      this.logger.error(`Run error=${formatError(err)}`)
      await this.close()
      process.exit(1)
    }
    const a = this.address()
    this.logger.info(`HTTP server listening on address=${a.family === 'IPv6' ? `[${a.address}]` : a.address}${a.port === 0 && a.family === 'unix' ? '' : ':' + String(a.port)}`)
    this.logger.info(await (worker ?? new ShutdownTrigger(this.logger)).begun)
    try {
      await this.shutdown()
    } catch (err) {
      this.logger.error(`Shutdown error=${formatError(err)}`)
    }
    process.exit(0)
  }
}
