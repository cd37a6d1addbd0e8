import t from 'tap'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext } from 'playwright-core'
import { CHROMIUM, hasChromium, launchChromium } from '@hertz-node/example-support/chromium'
import { SERVERS, startServer } from './spawn-app.js'

// Real processes on a machine that may be busy: allow more than tap's default 30 s per file.
t.setTimeout(180_000)

/** Screenshots are kept here after the run (git-ignored). */
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url))

if (!hasChromium()) {
  t.plan(0, `${CHROMIUM} not found: install it with "apt-get install -y chromium" to run the browser test`)
} else {
  let context: BrowserContext
  t.before(async () => {
    const browser = await launchChromium('echo-chromium-')
    context = browser.context
    t.teardown(browser.close)
    await mkdir(ARTIFACTS, { recursive: true })
  })

  for (const name of SERVERS) {
    t.test(`${name}: the home page opens, echoes and closes in a real browser`, async (t) => {
      const server = await startServer(name)
      t.teardown(() => server.app.kill())
      const page = await context.newPage()
      t.teardown(() => page.close())

      const output = page.locator('#output > div')
      await page.goto(`http://${server.addr}/`)
      t.equal(await page.inputValue('#input'), 'Hello world!')

      await page.click('#open')
      await output.filter({ hasText: /^OPEN$/ }).waitFor()
      await page.click('#send')
      await output.filter({ hasText: /^RESPONSE: Hello world!$/ }).waitFor()
      await page.fill('#input', 'second <b>message</b>')
      await page.click('#send')
      await output.filter({ hasText: /^RESPONSE: second <b>message<\/b>$/ }).waitFor()
      await page.click('#close')
      await output.filter({ hasText: /^CLOSE$/ }).waitFor()

      t.same(await output.allTextContents(), [
        'OPEN',
        'SEND: Hello world!',
        'RESPONSE: Hello world!',
        'SEND: second <b>message</b>',
        'RESPONSE: second <b>message</b>',
        'CLOSE'
      ])
      await server.app.waitForLine(/recv: Hello world!$/)
      await page.screenshot({ path: join(ARTIFACTS, `browser-${name}.png`), fullPage: true })

      // A refused connection shows up as ERROR then CLOSE once the server is gone.
      t.same(await server.app.stop('SIGTERM'), { code: 0, signal: null })
      await page.click('#open')
      await output.filter({ hasText: /^ERROR: / }).waitFor()
      await output.filter({ hasText: /^CLOSE$/ }).nth(1).waitFor()
    })
  }
}
