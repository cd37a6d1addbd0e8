/**
 * The tests start the apps themselves (spawn-app.ts) rather than through pnpm; this keeps that equal to the
 * command contract users, docs and CI rely on: the root package.json's `echo:*` scripts and `start`.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_ROOT, appCommand, type AppName } from './spawn-app.js'

const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }

t.test('each pnpm echo:* script is the command the tests run', async (t) => {
  for (const name of ['legacy', 'adaptor', 'fastify', 'client'] as const satisfies readonly AppName[]) {
    t.equal(pkg.scripts[`echo:${name}`], appCommand(name), `echo:${name}`)
  }
})

// `exec`: no nested pnpm (tooling time), and no shell left between pnpm and node. A shell that waits for node
// gets the terminal's Ctrl-C too and dies of it after node exited 0, which pnpm reports as "Command failed".
t.test('pnpm start runs the echo:adaptor command itself', async (t) => {
  t.equal(pkg.scripts.start, `exec ${appCommand('adaptor')}`)
  t.equal(pkg.scripts.start, `exec ${pkg.scripts['echo:adaptor']}`)
})
