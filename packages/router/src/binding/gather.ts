import { HertzErrorCode } from '../errors.js'
import { BindError } from './bind-error.js'
import { coerce, coerceScalar, type CoerceOptions } from './coerce.js'
import type { FieldType, TypeHint } from './schema.js'

/** Where a value can come from, in Hertz's order of precedence (its default tags). */
export type BindSource = 'path' | 'form' | 'query' | 'cookie' | 'header'

/** Hertz's default tag order: a field takes the first source that has it; the JSON body is below them all. */
export const SOURCES: readonly BindSource[] = ['path', 'form', 'query', 'cookie', 'header']

/**
 * The TS twin of a Go field's binding tags (`path:"id"`, `query:"q"`, `header:"X-Token"`, `json:"name"`,
 * `default:"1"`). A field with any of `path`, `form`, `query`, `cookie`, `header` is read from those sources only
 * (in that order); a field without is read from all of them under its own name, as Hertz's default tags do.
 */
export interface FieldTag {
  /** Name of the path parameter. */
  readonly path?: string
  /** Name in an urlencoded or multipart body (like Hertz, the query is consulted when the body lacks it). */
  readonly form?: string
  /** Name in the query string. */
  readonly query?: string
  /** Name of the cookie. */
  readonly cookie?: string
  /** Name of the header (case-insensitive). */
  readonly header?: string
  /** Key in the JSON body (default: the field's name). */
  readonly json?: string
  /** Text used when no source has the field (Hertz's `default` tag). */
  readonly default?: string
  /** How the text becomes a value; overrides what the schema's JSON Schema says. */
  readonly type?: FieldType
  /** For `type: 'array'`: the type of the items. */
  readonly items?: FieldType
}

/** Options of `c.bind*` (Hertz's `BindConfig` and struct tags). */
export interface BindOptions extends CoerceOptions {
  /** Per-field tags, keyed by the field's name in the result. */
  readonly fields?: Readonly<Record<string, FieldTag>>
}

/** What the binders read of a request: one method per source (the request context provides it). */
export interface BindingInput {
  /** The value of a path parameter, undefined when the route has none of that name. */
  pathValue (name: string): string | undefined
  /** Every value of a query key. */
  queryValues (name: string): string[]
  /** Every value of a key of an urlencoded or multipart body. */
  formValues (name: string): string[]
  /** The files of a multipart field (Hertz binds them to `*multipart.FileHeader` fields). */
  fileValues (name: string): readonly unknown[]
  /** A request header, undefined when absent. */
  headerValue (name: string): string | undefined
  /** A cookie, undefined when absent. */
  cookieValue (name: string): string | undefined
  /** Every key of the path parameters, the body form and the query (for a schema whose fields are unknown). */
  keys (sources: readonly BindSource[]): string[]
  /** The request's media type, lower case, without parameters. */
  mediaType (): string
  /** The request body, null when there is none (or it was not read). */
  rawBody (): Buffer | null
}

function texts (input: BindingInput, source: BindSource, name: string): string[] {
  switch (source) {
    case 'path': {
      const v = input.pathValue(name)
      return v === undefined ? [] : [v]
    }
    case 'form': {
      const v = input.formValues(name)
      return v.length > 0 ? v : input.queryValues(name)
    }
    case 'query': return input.queryValues(name)
    case 'cookie': {
      const v = input.cookieValue(name)
      return v === undefined ? [] : [v]
    }
    case 'header': {
      const v = input.headerValue(name)
      return v === undefined ? [] : [v]
    }
  }
}

/**
 * The JSON body as an object (Hertz's `preBindBody`): only for `application/json` with a body; null otherwise.
 * A body that is not JSON rejects with `HERTZ_ERR_BIND`.
 */
export function jsonBody (input: BindingInput): unknown {
  const body = input.rawBody()
  if (body === null || body.length === 0 || input.mediaType() !== 'application/json') return undefined
  try {
    return JSON.parse(body.toString('utf8'))
  } catch (err) {
    throw new BindError(HertzErrorCode.BIND, `bind body failed, err=${(err as Error).message}`, [], { cause: err })
  }
}

/** A slice default is JSON, which Hertz lets one write in single quotes (`default:"['a','b']"`). */
function arrayDefault (text: string, hint: TypeHint, o: BindOptions): unknown {
  const whole = coerceScalar(text.replaceAll("'", '"'), 'array', o)
  return Array.isArray(whole) ? whole : coerce([text], hint, o)
}

/**
 * Gathers the values of `names` (or, when null, of every key the `sources` have) from `sources`, each field taking
 * the first source that has it, over `base` (the JSON body's properties). Texts are coerced by the field's type.
 */
export function gather (input: BindingInput, names: Iterable<string> | null, hints: ReadonlyMap<string, TypeHint> | null,
  sources: readonly BindSource[], base: unknown, o: BindOptions): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  const fields = o.fields ?? {}
  const isObject = base !== null && typeof base === 'object' && !Array.isArray(base)
  if (isObject) Object.assign(out, base)
  const all = new Set(names ?? input.keys(sources))
  for (const k of Object.keys(fields)) all.add(k)
  for (const name of all) {
    const tag = fields[name]
    if (isObject && tag?.json !== undefined && tag.json !== name) {
      delete out[tag.json]
      if (tag.json in (base as object)) out[name] = (base as Record<string, unknown>)[tag.json]
    }
    const schemaHint = hints?.get(name)
    const hint: TypeHint = { type: tag?.type ?? schemaHint?.type, items: tag?.items ?? schemaHint?.items }
    const tagged = tag === undefined ? [] : sources.filter(s => tag[s] !== undefined)
    const own = tagged.length > 0 ? tagged : sources
    let found: string[] = []
    for (const s of own) {
      found = texts(input, s, tag?.[s] ?? name)
      if (found.length > 0) break
    }
    const files = found.length === 0 && own.includes('form') ? input.fileValues(tag?.form ?? name) : []
    if (found.length > 0) {
      out[name] = coerce(found, hint, o)
    } else if (files.length > 0) {
      out[name] = hint.type === 'array' ? files.slice() : files[0]
    } else if (tag?.default !== undefined && out[name] === undefined) {
      // Hertz writes a slice default in single quotes (`default:"['a','b']"`) and reads it as JSON.
      out[name] = hint.type === 'array' ? arrayDefault(tag.default, hint, o) : coerceScalar(tag.default, hint.type, o)
    }
  }
  return { ...out }
}
