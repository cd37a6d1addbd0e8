import { gather, jsonBody, SOURCES, type BindingInput, type BindOptions, type BindSource } from '../binding/gather.js'
import { propertyHints, validateWith, type Infer, type Schema } from '../binding/schema.js'
import { kBody, kParams, kUpgradeSocket } from '../symbols.js'
import { isMultipart } from './args.js'
import { cookiesOf, loadMultipart, multipartOf, postArgsOf, postFormValues, queryArgsOf } from './forms.js'
import { ContextOutput } from './output.js'

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data'])

function mediaTypeOf (c: ContextOutput): string {
  const ct = c.req.headers['content-type']
  return typeof ct === 'string' ? (ct.split(';')[0] as string).trim().toLowerCase() : ''
}

/** The request context as the binders read it: the same readers as `c.postForm`, `c.cookie`, `c.multipartForm`. */
function contextInput (c: ContextOutput): BindingInput {
  const params = c[kParams]
  return {
    pathValue: name => params[name],
    queryValues: name => queryArgsOf(c).getAll(name),
    formValues: name => postFormValues(c, name) ?? [],
    fileValues: name => multipartOf(c)?.file[name] ?? [],
    headerValue: name => {
      const v = c.req.headers[name.toLowerCase()]
      return Array.isArray(v) ? v.join(', ') : v
    },
    cookieValue: name => cookiesOf(c)[name],
    keys: (sources: readonly BindSource[]) => {
      const keys = new Set<string>()
      if (sources.includes('path')) for (const k of Object.keys(params)) keys.add(k)
      if (sources.includes('form')) {
        for (const k of postArgsOf(c).keys()) keys.add(k)
        const mf = multipartOf(c)
        if (mf !== null) for (const k of [...Object.keys(mf.value), ...Object.keys(mf.file)]) keys.add(k)
      }
      if (sources.includes('query') || sources.includes('form')) for (const k of queryArgsOf(c).keys()) keys.add(k)
      return [...keys]
    },
    mediaType: () => mediaTypeOf(c),
    rawBody: () => c[kBody]
  }
}

/**
 * Binding and validation of a request context (Hertz's `BindAndValidate`, `Bind`, `Validate` and the binders of
 * one source), with a Standard Schema in place of a Go struct: values are gathered from the path parameters, the
 * form, the query, cookies and headers (in that order of precedence, over the JSON body), coerced by the types the
 * schema declares, then validated; the schema's output is returned.
 */
export class ContextBind extends ContextOutput {
  /**
   * Reads a body the engine left unread (`withStreamBody`) and parses a multipart one; a malformed multipart body
   * rejects (`HERTZ_ERR_BAD_MULTIPART`, 400), as Hertz's binder reports it.
   */
  async #read (): Promise<void> {
    const h = this.req.headers
    if (isMultipart(h['content-type'])) {
      if (this[kUpgradeSocket] === null) await loadMultipart(this)
      return
    }
    if (this[kBody] === null && this[kUpgradeSocket] === null && (h['content-length'] !== undefined || h['transfer-encoding'] !== undefined)) {
      await this.body()
    }
  }

  async #bindFrom (schema: Schema | undefined, sources: readonly BindSource[], json: boolean, o: BindOptions): Promise<Record<string, unknown>> {
    await this.#read()
    const input = contextInput(this)
    const hints = schema === undefined ? null : propertyHints(schema)
    const base = json ? jsonBody(input) : undefined
    return gather(input, hints === null ? null : hints.keys(), hints, sources, base, o)
  }

  /**
   * Gathers the request's values without validating them (Hertz's `Bind`): path parameters, form, query,
   * cookies, headers, then the JSON body below them. With a schema, its declared properties are looked up in every
   * source and their texts coerced to the declared types; without, every path, form and query key is taken as text.
   */
  bind (schema?: Schema, opts: BindOptions = {}): Promise<Record<string, unknown>> {
    return this.#bindFrom(schema, SOURCES, true, opts)
  }

  /** Validates `value` with `schema` (Hertz's `Validate`); rejects with a `BindError` listing each field. */
  validate<S extends Schema> (schema: S, value: unknown): Promise<Infer<S>> {
    return validateWith(schema, value)
  }

  /**
   * Binds as {@link bind} does, then validates with `schema` and returns its typed output (Hertz's
   * `BindAndValidate`). Rejects with a `BindError`: `HERTZ_ERR_BIND` for a malformed JSON body,
   * `HERTZ_ERR_VALIDATION` listing each failing field; `server.Default` answers either 400.
   */
  async bindAndValidate<S extends Schema> (schema: S, opts: BindOptions = {}): Promise<Infer<S>> {
    return validateWith(schema, await this.#bindFrom(schema, SOURCES, true, opts))
  }

  /** Binds the query only (Hertz's `BindQuery`) and validates. */
  async bindQuery<S extends Schema> (schema: S, opts: BindOptions = {}): Promise<Infer<S>> {
    return validateWith(schema, await this.#bindFrom(schema, ['query'], false, opts))
  }

  /** Binds the headers only (Hertz's `BindHeader`) and validates. */
  async bindHeader<S extends Schema> (schema: S, opts: BindOptions = {}): Promise<Infer<S>> {
    return validateWith(schema, await this.#bindFrom(schema, ['header'], false, opts))
  }

  /** Binds the path parameters only (Hertz's `BindPath`) and validates. */
  async bindPath<S extends Schema> (schema: S, opts: BindOptions = {}): Promise<Infer<S>> {
    return validateWith(schema, await this.#bindFrom(schema, ['path'], false, opts))
  }

  /** Binds the form only (urlencoded or multipart, the query when the body lacks a key; Hertz's `BindForm`) and validates. */
  async bindForm<S extends Schema> (schema: S, opts: BindOptions = {}): Promise<Infer<S>> {
    return validateWith(schema, await this.#bindFrom(schema, ['form'], false, opts))
  }

  /** Parses the body as JSON, whatever its Content-Type (Hertz's `BindJSON`), and validates. */
  async bindJSON<S extends Schema> (schema: S): Promise<Infer<S>> {
    await this.#read()
    const input = contextInput(this)
    const json = jsonBody({ ...input, mediaType: () => 'application/json' })
    return validateWith(schema, json)
  }

  /** Binds by the request's Content-Type (Hertz's `BindByContentType`): JSON body, form, or else the query. */
  bindByContentType<S extends Schema> (schema: S, opts: BindOptions = {}): Promise<Infer<S>> {
    const mt = mediaTypeOf(this)
    if (mt === 'application/json') return this.bindJSON(schema)
    if (FORM_TYPES.has(mt)) return this.bindForm(schema, opts)
    return this.bindQuery(schema, opts)
  }
}
