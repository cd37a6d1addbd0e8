/**
 * The tests start the apps themselves (spawn-app.ts) rather than through pnpm; this keeps that equal to the
 * command contract users and docs rely on: the root package.json's `<example>:<path>` scripts.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ALL_PATHS, REPO_ROOT, appCommand } from './spawn-app.js'

const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }

for (const example of ['chat', 'command', 'filewatch', 'autobahn']) {
  t.test(`each pnpm ${example}:* script is the command the tests run`, async (t) => {
    for (const path of ALL_PATHS) t.equal(pkg.scripts[`${example}:${path}`], appCommand(example, path), `${example}:${path}`)
  })
}
