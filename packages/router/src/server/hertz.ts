import { Engine } from './engine.js'
import { describeError } from '../pipeline/recover.js'

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** The server (Hertz's `server.Hertz`): an {@link Engine} plus `spin()`. */
export class Hertz extends Engine {
  /**
   * Runs the server, logs its address and waits for SIGINT, SIGTERM or SIGHUP; then shuts down gracefully and exits
   * the process (code 0; 1 when the server could not start).
   */
  async spin (): Promise<void> {
    try {
      await this.run()
    } catch (err) {
      this.logger.error(`Run error=${describeError(err)}`)
      await this.close()
      process.exit(1)
    }
    const a = this.address()
    this.logger.info(`HTTP server listening on address=${a.family === 'IPv6' ? `[${a.address}]` : a.address}${a.port === 0 && a.family === 'unix' ? '' : ':' + String(a.port)}`)
    const sig = await new Promise<string>(resolve => {
      const on = (s: string): void => {
        for (const name of SIGNALS) process.removeListener(name, on)
        resolve(s)
      }
      for (const name of SIGNALS) process.on(name, on)
    })
    this.logger.info(`Received signal: ${sig}`)
    try {
      await this.shutdown()
    } catch (err) {
      this.logger.error(`Shutdown error=${describeError(err)}`)
    }
    process.exit(0)
  }
}
