import type { IncomingMessage } from 'node:http'
import { HertzError, HertzErrorCode } from '../errors.js'
import type { EngineRef } from '../server/engine-ref.js'
import { kBody, kCookies, kMultipart, kPostArgs, kQueryArgs, kRawQuery } from '../symbols.js'
import { Args, isMultipart, isUrlencoded } from './args.js'
import { parseRequestCookies } from './cookies.js'
import { MultipartState, type MultipartForm } from './multipart.js'

// The request's inputs as binding and the RequestContext read them: query and urlencoded arguments, the multipart
// form and the cookies, each parsed once on first use.

/** What these readers need of a request context. */
export interface FormSource {
  readonly req: IncomingMessage
  readonly engine: EngineRef
  readonly [kBody]: Buffer | null
  readonly [kRawQuery]: string
  [kQueryArgs]: Args | null
  [kPostArgs]: Args | null
  [kCookies]: Record<string, string | undefined> | null
  [kMultipart]: MultipartState | null
}

/** The query arguments. */
export function queryArgsOf (c: FormSource): Args {
  return (c[kQueryArgs] ??= new Args(c[kRawQuery]))
}

/** The arguments of an urlencoded body (empty for any other body, or one not read yet). */
export function postArgsOf (c: FormSource): Args {
  let args = c[kPostArgs]
  if (args === null) {
    const body = c[kBody]
    args = new Args(body !== null && isUrlencoded(c.req.headers['content-type']) ? body.toString() : '')
    c[kPostArgs] = args
  }
  return args
}

/** The request cookies, name → value (the first of a repeated name). */
export function cookiesOf (c: FormSource): Record<string, string | undefined> {
  return (c[kCookies] ??= parseRequestCookies(c.req.headers.cookie))
}

/** The multipart form if it has been parsed, else null (a buffered multipart body is parsed before the chain). */
export function multipartOf (c: FormSource): MultipartForm | null {
  const st = c[kMultipart]
  return st === null ? null : st.form
}

/**
 * The multipart form, parsed on first call from the buffered body or, with `withStreamBody`, from the request
 * stream within the body limit. Rejects with `HERTZ_ERR_NOT_MULTIPART`, `HERTZ_ERR_BAD_MULTIPART`,
 * `HERTZ_ERR_MULTIPART_LIMIT` (each answered 400 if it escapes the handler) or `HERTZ_ERR_BODY_TOO_LARGE` (413).
 */
export function loadMultipart (c: FormSource): Promise<MultipartForm> {
  let st = c[kMultipart]
  if (st !== null && st.promise !== null) return st.promise
  const ct = c.req.headers['content-type']
  if (ct === undefined || !isMultipart(ct)) {
    return Promise.reject(new HertzError(HertzErrorCode.NOT_MULTIPART,
      'request Content-Type has bad boundary or is not multipart/form-data'))
  }
  st ??= c[kMultipart] = new MultipartState()
  const o = c.engine.options
  return st.parse(c[kBody] ?? c.req, ct, o.multipartLimits, o.maxRequestBodySize)
}

/**
 * Parses a buffered multipart body before the chain runs, so `postForm` and `formValue` see its fields; an error
 * is kept for `multipartForm()` to report. Resolves either way.
 */
export function preparseMultipart (c: FormSource): Promise<void> | undefined {
  if (c[kBody] === null || !isMultipart(c.req.headers['content-type'])) return undefined
  return loadMultipart(c).then(() => {}, () => {})
}

/** The values of `key` in the urlencoded body, else in the multipart form; undefined when in neither. */
export function postFormValues (c: FormSource, key: string): string[] | undefined {
  const vs = postArgsOf(c).getAll(key)
  if (vs.length > 0) return vs
  const mv = multipartOf(c)?.value[key]
  return mv !== undefined && mv.length > 0 ? mv : undefined
}

/** Hertz's default form value: the query, then the urlencoded body, then the multipart form; '' when none. */
export function defaultFormValue (c: FormSource, key: string): string {
  return queryArgsOf(c).get(key) || postArgsOf(c).get(key) || (multipartOf(c)?.value[key]?.[0] ?? '')
}
