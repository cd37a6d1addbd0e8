import type { Test } from 'tap'
import { HertzError } from '../../errors.js'
import type { Option } from '../../server/options.js'
import type { HandlerFunc } from '../../context/request-context.js'
import type { Hertz } from '../../server/hertz.js'
import { RouteTable } from '../table.js'
import { New, start } from '@hertz-node/test-kit/router'
import { rawExchange } from '@hertz-node/test-kit/raw-tcp'

// A small runner for Hertz's own test tables, ported as data. Every request is written byte for byte on a raw
// socket, so no client normalizes the path before the router sees it.

/** Why a case cannot pass on Node: only Node's own behaviour qualifies (see the router README). */
export const DEPARTURES = {
  'raw-non-ascii': "node's HTTP parser answers 400 to a request target holding raw non-ASCII octets",
  'not-a-path': "node's HTTP parser answers 400 to a request target that is empty or does not begin with '/'"
} as const

export type Departure = keyof typeof DEPARTURES

/** An answer as read off the socket (header names lower-cased). */
export interface Answer { status: number, headers: Map<string, string>, body: string }

/** One request and what Hertz answers to it. */
export interface HttpCase {
  /** The Hertz test the case comes from. */
  from: string
  /** The request target, sent as it is. */
  target: string | Buffer
  method?: string
  /** Extra header lines, e.g. `X-Forwarded-Prefix: /api`. */
  headers?: string[]
  /** The pattern whose handler must run (`c.fullPath()`), or null when none may. */
  route?: string | null
  /** Parameter values the route must see (only these are compared). */
  params?: Record<string, string>
  /** Expected status; 200 when `route` is set, else 404. */
  status?: number
  /** Expected Location header. */
  location?: string
  /** Expected body, when the case gives one. */
  body?: string
  /** Further checks of the answer, for what Hertz's test asserts beyond status, route and body. */
  check?: (t: Test, a: Answer) => void
  departure?: Departure
}

/** A router set up as a Hertz test sets it up, and the requests it answers. */
export interface HttpTable {
  from: string
  /**
   * Routes, each `path` (GET) or `[method, path]` (method `ANY` registers with `any`), or `[method, path, body]` for
   * a route answering `body`.
   */
  routes: Array<string | [string, string] | [string, string, string]>
  options?: Option[]
  /** Registers what `routes` cannot say (groups, middleware, static files); runs after `routes`. */
  setup?: (h: Hertz) => void
  cases: HttpCase[]
}

/** One registration and whether Hertz refuses it. */
export interface RegistrationCase {
  from: string
  path: string
  refused: boolean
}

/** Counts of one ported Hertz file, for the README. */
export interface Tally { ported: number, departures: number }

function names (pattern: string): string[] {
  return [...pattern.matchAll(/[:*]([^/]+)/g)].map(m => m[1] as string)
}

function parse (text: string): Answer {
  const end = text.indexOf('\r\n\r\n')
  const head = text.slice(0, end).split('\r\n')
  const headers = new Map<string, string>()
  for (const line of head.slice(1)) {
    const i = line.indexOf(':')
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim())
  }
  return { status: Number((head[0] ?? '').split(' ')[1]), headers, body: Buffer.from(text.slice(end + 4), 'latin1').toString('utf8') }
}

/** Runs each table on its own server; returns how many cases it ported and how many stand as departures. */
export async function runHttpTables (t: Test, tables: HttpTable[]): Promise<Tally> {
  const tally: Tally = { ported: 0, departures: 0 }
  for (const table of tables) {
    await t.test(table.from, async t => {
      const h = New(...(table.options ?? []))
      for (const r of table.routes) {
        const [method, path, answer] = typeof r === 'string' ? ['GET', r, undefined] : r
        const keys = names(path)
        const handler: HandlerFunc = (_ctx, c) => {
          if (answer !== undefined) { c.string(200, answer); return }
          const params: Record<string, string> = {}
          for (const k of keys) params[k] = c.param(k)
          c.json(200, { route: c.fullPath(), params })
        }
        if (method === 'ANY') h.any(path, handler)
        else h.handle(method, path, handler)
      }
      table.setup?.(h)
      const { port } = await start(t, h)
      for (const k of table.cases) {
        tally.ported++
        const target = typeof k.target === 'string' ? Buffer.from(k.target, 'latin1') : k.target
        const head = `${k.method ?? 'GET'} ${target.toString('latin1')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
          (k.headers ?? []).map(l => l + '\r\n').join('') + '\r\n'
        const { text } = await rawExchange(t, port, Buffer.from(head, 'latin1'))
        const a = parse(text)
        const name = `${k.from}: ${k.method ?? 'GET'} ${target.toString('utf8')}`
        if (k.departure !== undefined) {
          tally.departures++
          t.equal(a.status, 400, `${name} (departure: ${DEPARTURES[k.departure]})`)
          continue
        }
        if (k.route != null) {
          t.equal(a.status, k.status ?? 200, name)
          const got = JSON.parse(a.body) as { route: string, params: Record<string, string> }
          t.equal(got.route, k.route, name + ' runs ' + k.route)
          if (k.params !== undefined) t.match(got.params, k.params, name + ' params')
        } else {
          t.equal(a.status, k.status ?? 404, name)
        }
        if (k.location !== undefined) t.equal(a.headers.get('location'), k.location, name + ' Location')
        if (k.body !== undefined) t.equal(a.body, k.body, name + ' body')
        k.check?.(t, a)
      }
    })
  }
  return tally
}

/** Registers the paths of each list in order on a fresh table (a GET tree, as Hertz's tests build one). */
export function runRegistrations (t: Test, lists: Array<{ from: string, cases: RegistrationCase[] }>): Tally {
  const tally: Tally = { ported: 0, departures: 0 }
  for (const list of lists) {
    const table = new RouteTable()
    for (const k of list.cases) {
      tally.ported++
      let err: unknown = null
      try {
        table.add('GET', k.path, [() => {}])
      } catch (e) {
        err = e
      }
      if (k.refused) t.type(err, HertzError, `${k.from}: '${k.path}' is refused`)
      else t.equal(err, null, `${k.from}: '${k.path}' is accepted`)
    }
  }
  return tally
}
