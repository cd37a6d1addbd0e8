import type { StandardSchemaV1 } from '@standard-schema/spec'
import { HertzErrorCode } from '../errors.js'
import { BindError, type FieldIssue } from './bind-error.js'

/** A Standard Schema (zod, valibot, arktype, typebox, ...): what the binders validate with. */
export type Schema = StandardSchemaV1

/** The type a schema produces: what `c.bindAndValidate(schema)` resolves to. */
export type Infer<S extends Schema> = StandardSchemaV1.InferOutput<S>

/** How a bound text is turned into a value (Go decodes by the field's type; this is that type). */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array'

/** The type of one property, as read from a schema's JSON Schema. */
export interface TypeHint {
  readonly type: FieldType | undefined
  /** For an array: the type of its items. */
  readonly items: FieldType | undefined
}

const hintsCache = new WeakMap<object, Map<string, TypeHint> | null>()

function typeOf (node: unknown): FieldType | undefined {
  if (node === null || typeof node !== 'object') return undefined
  const n = node as Record<string, unknown>
  const t = Array.isArray(n.type) ? (n.type as unknown[]).find(x => x !== 'null') : n.type
  if (t === 'string' || t === 'number' || t === 'integer' || t === 'boolean' || t === 'object' || t === 'array') return t
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    const list = n[k]
    if (Array.isArray(list)) {
      for (const sub of list) {
        const st = typeOf(sub)
        if (st !== undefined) return st
      }
    }
  }
  return undefined
}

function hintOf (node: unknown): TypeHint {
  const type = typeOf(node)
  let items: FieldType | undefined
  if (type === 'array' && node !== null && typeof node === 'object') items = typeOf((node as { items?: unknown }).items)
  return { type, items }
}

/**
 * The properties of an object schema and their types, from its Standard JSON Schema (`~standard.jsonSchema`, which
 * zod 4 and arktype provide) when it has one, else null: the binders then gather every path, form and query key
 * and leave the values as text. Cached per schema.
 */
export function propertyHints (schema: Schema): Map<string, TypeHint> | null {
  const cached = hintsCache.get(schema)
  if (cached !== undefined) return cached
  let hints: Map<string, TypeHint> | null = null
  const converter = (schema['~standard'] as { jsonSchema?: { input?: (o: { target: string }) => unknown } }).jsonSchema
  if (converter !== undefined && typeof converter.input === 'function') {
    try {
      const js = converter.input({ target: 'draft-2020-12' }) as { properties?: Record<string, unknown> }
      if (js !== null && typeof js === 'object' && js.properties !== null && typeof js.properties === 'object') {
        hints = new Map(Object.entries(js.properties).map(([k, v]) => [k, hintOf(v)]))
      }
    } catch {
      // A schema that cannot be expressed as JSON Schema binds as an opaque one.
    }
  }
  hintsCache.set(schema, hints)
  return hints
}

function pathText (path: StandardSchemaV1.Issue['path']): string {
  if (path === undefined) return ''
  return path.map(seg => String(typeof seg === 'object' ? seg.key : seg)).join('.')
}

/**
 * Validates `value` with `schema` (Hertz's `Validate`) and returns the schema's output. Rejects with a
 * {@link BindError} `HERTZ_ERR_VALIDATION` listing each failing field.
 */
export async function validateWith<S extends Schema> (schema: S, value: unknown): Promise<Infer<S>> {
  const std = (schema as Partial<Schema> | null)?.['~standard']
  if (std === undefined || typeof std.validate !== 'function') {
    throw new TypeError('validate: expected a Standard Schema (an object with a ~standard.validate function)')
  }
  let result = std.validate(value)
  if (result instanceof Promise) result = await result
  if (result.issues !== undefined) {
    const issues: FieldIssue[] = result.issues.map(i => ({ path: pathText(i.path), message: i.message }))
    const list = issues.map(i => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')
    throw new BindError(HertzErrorCode.VALIDATION, `validation failed: ${list}`, issues)
  }
  return result.value as Infer<S>
}
