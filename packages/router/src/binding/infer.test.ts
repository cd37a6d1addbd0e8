// Type test: what c.bindAndValidate(schema) resolves to is the schema's output type. Checked by `pnpm typecheck`
// (every @ts-expect-error line must be an error, or the typecheck fails); the runtime part only keeps tap content.
import t from 'tap'
import { z } from 'zod'
import * as v from 'valibot'
import type { RequestContext } from '../context/request-context.js'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
function assertType<T extends true> (_ok: T): void {}

export async function zodOutput (c: RequestContext): Promise<void> {
  const user = await c.bindAndValidate(z.object({ id: z.coerce.number(), tags: z.array(z.string()), nick: z.string().optional() }))
  assertType<Equal<typeof user, { id: number, tags: string[], nick?: string | undefined }>>(true)
  const n: number = user.id
  // @ts-expect-error id is a number, not a string
  const s: string = user.id
  // @ts-expect-error no such field
  void user.missing
  void n
  void s
}

export async function valibotOutput (c: RequestContext): Promise<void> {
  const q = await c.bindQuery(v.object({ page: v.pipe(v.string(), v.transform(Number)) }))
  assertType<Equal<typeof q, { page: number }>>(true)
  // @ts-expect-error the output of the transform is a number
  q.page.toUpperCase()
}

export async function untyped (c: RequestContext): Promise<void> {
  const raw = await c.bind()
  assertType<Equal<typeof raw, Record<string, unknown>>>(true)
  void raw
  // @ts-expect-error bindAndValidate needs a Standard Schema
  await c.bindAndValidate({ id: 'number' })
}

t.pass('the types are checked by tsc (pnpm typecheck)')
