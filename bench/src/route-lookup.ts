// Micro-benchmark of route lookups: the router's Hertz tree (routing/table.ts) against find-my-way, the matcher it
// replaced, on the same route set and request paths. Run: `npx -y pnpm@10.34.9 bench:routes` (prints ns/lookup).
import { createRequire } from 'node:module'
import { RouteTable } from '../../packages/router/src/routing/table.js'

// find-my-way is a dependency of the router package (its fastify mount uses it); loaded from there.
const require = createRequire(new URL('../../packages/router/package.json', import.meta.url))
const FindMyWay = require('find-my-way') as (opts: object) => {
  on: (m: string, p: string, h: () => void) => void
  find: (m: string, p: string) => unknown
}

// A GitHub-API-like table: static routes, parameters at several depths, catch-alls.
const routes = [
  '/', '/health', '/api/v1/users', '/api/v1/users/:id', '/api/v1/users/:id/repos', '/api/v1/users/:id/repos/:repo',
  '/api/v1/repos/:owner/:repo/issues', '/api/v1/repos/:owner/:repo/issues/:number', '/api/v1/orgs/:org/members',
  '/api/v1/search/code', '/api/v1/search/issues', '/api/v1/notifications', '/api/v1/gists/:id/star',
  '/static/*filepath', '/assets/css/main.css', '/assets/js/app.js', '/users/new', '/users/:name/profile'
]
const requests: Array<[string, string]> = [
  ['static', '/api/v1/search/issues'], ['static', '/assets/css/main.css'], ['static', '/health'],
  ['param', '/api/v1/users/42'], ['param', '/api/v1/repos/cloudwego/hertz/issues/1234'],
  ['catch-all', '/static/img/logo/big.png'], ['miss', '/api/v2/nothing/here']
]

const noop = (): void => {}
const ours = new RouteTable()
const fmw = FindMyWay({ maxParamLength: Number.MAX_SAFE_INTEGER })
for (const r of routes) {
  ours.add('GET', r, [noop])
  fmw.on('GET', r.replace(/\*filepath$/, '*'), noop)
}

let sink = 0
function measure (fn: (p: string) => unknown, path: string): number {
  const n = 2_000_000
  for (let i = 0; i < 200_000; i++) if (fn(path) !== null) sink++
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) if (fn(path) !== null) sink++
  return Number(process.hrtime.bigint() - t0) / n
}

console.log('| kind | path | hertz tree (ns) | find-my-way (ns) |')
console.log('| --- | --- | ---: | ---: |')
for (const [kind, path] of requests) {
  const a = measure(p => ours.find('GET', p), path)
  const b = measure(p => fmw.find('GET', p), path)
  console.log(`| ${kind} | \`${path}\` | ${a.toFixed(1)} | ${b.toFixed(1)} |`)
}
if (sink < 0) console.log(sink)
