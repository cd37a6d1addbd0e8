/** The bits of Go's `net/http` the gorilla-style example handlers call on a Node `ServerResponse`. */
import type { ServerResponse } from 'node:http'

/** HTTP status codes the examples name (Go's `http.StatusNotFound`, ...). */
export const StatusOK = 200
export const StatusNotFound = 404
export const StatusMethodNotAllowed = 405

/**
 * Go's `http.Error(w, error, code)`: a plain-text answer of `error` and a newline, with `nosniff`, and the
 * response ended (a Node handler ends its response itself; Go's net/http does it when the handler returns).
 */
export function httpError (w: ServerResponse, error: string, code: number): void {
  w.setHeader('Content-Type', 'text/plain; charset=utf-8')
  w.setHeader('X-Content-Type-Options', 'nosniff')
  w.statusCode = code
  w.end(error + '\n')
}

/**
 * Go's `r.FormValue(key)` for the examples' GET requests: the first `key` of the URL's query, `''` when
 * absent (a GET has no form body to look in).
 */
export function formValue (url: string | undefined, key: string): string {
  const raw = url ?? '/'
  const q = raw.indexOf('?')
  return q === -1 ? '' : new URLSearchParams(raw.slice(q + 1)).get(key) ?? ''
}

/** The path of a Node request's URL (Go's `r.URL.Path`), without the query. */
export function urlPath (url: string | undefined): string {
  const raw = url ?? '/'
  const q = raw.indexOf('?')
  return q === -1 ? raw : raw.slice(0, q)
}
