/**
 * Test support: Debian's Chromium (`/usr/bin/chromium`, no browser downloads here) through playwright-core, in
 * a throwaway profile and HOME so that the browser writes nothing outside a temp dir.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

/** Where Debian's package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium'

/** Whether the browser is installed; a browser test plans 0 tests without it. */
export const hasChromium = (): boolean => existsSync(CHROMIUM)

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'
]

/** A headless browser context and how to end it (closing the browser and removing its temp dir). */
export async function launchChromium (prefix: string): Promise<{ context: BrowserContext, close: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), prefix))
  const context = await chromium.launchPersistentContext(join(home, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    env: { ...process.env, HOME: home }
  })
  return {
    context,
    close: async () => {
      await context.close()
      await rm(home, { recursive: true, force: true })
    }
  }
}
