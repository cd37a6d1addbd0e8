/**
 * Query or form arguments (Hertz's `protocol.Args`): a `URLSearchParams` with Hertz's readers on top, so both
 * `args.get(k)` and `args.peek(k)` work.
 */
export class Args extends URLSearchParams {
  /** The first value of `key`, '' when absent. */
  peek (key: string): string {
    return this.get(key) ?? ''
  }

  /** Every value of `key`, in order (empty when absent). */
  peekAll (key: string): string[] {
    return this.getAll(key)
  }

  /** The first value of `key`, or undefined when absent (Go's `(value, ok)`; '' for `k=` or a bare `k`). */
  peekExists (key: string): string | undefined {
    return this.get(key) ?? undefined
  }

  /** Calls `fn(key, value)` for every argument, in order. */
  visitAll (fn: (key: string, value: string) => void): void {
    for (const [k, v] of this) fn(k, v)
  }

  /** The number of arguments. */
  len (): number {
    let n = 0
    for (const _ of this.keys()) n++
    return n
  }

  /** The arguments encoded as a query string (Hertz's `QueryString`). */
  queryString (): string {
    return this.toString()
  }
}

/** True when `contentType` names an urlencoded form. */
export function isUrlencoded (contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.slice(0, 33).toLowerCase() === 'application/x-www-form-urlencoded'
}

/** True when `contentType` names a multipart form. */
export function isMultipart (contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.slice(0, 19).toLowerCase() === 'multipart/form-data'
}
