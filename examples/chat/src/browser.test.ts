/**
 * The chat page in two real Chromium pages, on both paths: what one sends, both show; a line sent with
 * markup shows as text.
 */
import t from 'tap'
import type { BrowserContext, Page } from 'playwright-core'
import { CHROMIUM, hasChromium, launchChromium } from '@hertz-node/example-support/chromium'
import { PATHS, startServer } from '@hertz-node/example-support/spawn-app'

// Real processes and a browser on a machine that may be busy: more than tap's default 30 s per file.
t.setTimeout(180_000)

/** Type `text` into the page's form and submit it, as a user does. */
async function say (page: Page, text: string): Promise<void> {
  await page.fill('#msg', text)
  await page.click('input[type=submit]')
}

/** The lines of the page's log. */
function lines (page: Page): Promise<string[]> {
  return page.locator('#log > div').allTextContents()
}

if (!hasChromium()) {
  t.plan(0, `${CHROMIUM} not found: install it with "apt-get install -y chromium" to run the browser test`)
} else {
  let context: BrowserContext
  t.before(async () => {
    const browser = await launchChromium('chat-chromium-')
    context = browser.context
    t.teardown(browser.close)
  })

  for (const path of PATHS) {
    t.test(`${path}: one page sends, both pages show it`, async (t) => {
      const server = await startServer('chat', path)
      t.teardown(() => server.app.kill())
      const alice = await context.newPage()
      const bob = await context.newPage()
      t.teardown(async () => { await alice.close(); await bob.close() })
      for (const page of [alice, bob]) {
        await page.goto(`http://${server.addr}/`)
        await page.locator('body[data-state=open]').waitFor()
      }

      await say(alice, 'hello from alice')
      for (const page of [alice, bob]) await page.locator('#log > div', { hasText: /^hello from alice$/ }).waitFor()
      await say(bob, '  <b>bob</b> answers  ')
      for (const page of [alice, bob]) await page.locator('#log > div', { hasText: /^<b>bob<\/b> answers$/ }).waitFor()
      t.same(await lines(alice), ['hello from alice', '<b>bob</b> answers'], 'alice saw both, trimmed, as text')
      t.same(await lines(bob), ['hello from alice', '<b>bob</b> answers'], 'bob saw both')

      // SIGTERM: the server closes the sockets with 1001 and exits cleanly; the pages say so.
      t.same(await server.app.stop('SIGTERM'), { code: 0, signal: null })
      for (const page of [alice, bob]) await page.locator('#log > div', { hasText: 'Connection closed.' }).waitFor()
    })
  }
}
