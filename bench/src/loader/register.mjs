// `node --import ./bench/src/loader/register.mjs`: runs the TypeScript sources the way the published build
// runs - see hooks.mjs for why the servers under test are not loaded through tsx.
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
