/**
 * A pool of write buffers, gorilla's `BufferPool`: `get()` returns a value or `undefined`/`null` when the
 * pool is empty, `put(v)` adds one. The seed's `simpleBufferPool` fits as written:
 *
 * ```ts
 * class SimpleBufferPool implements BufferPool {
 *   v: unknown
 *   get() { const v = this.v; this.v = undefined; return v }
 *   put(v: unknown) { this.v = v }
 * }
 * ```
 *
 * Share one pool across the connections that use the same `writeBufferSize`. The values stored are
 * opaque to the application.
 */
export interface BufferPool {
  /** A value from the pool, or `undefined`/`null` when it is empty. */
  get(): unknown
  /** Returns a value to the pool. */
  put(v: unknown): void
}

/**
 * What connections put in a pool. Wrapped, as gorilla's `writePoolData`, so applications do not start
 * depending on the buffer inside.
 */
export class WritePoolData {
  /** @param buf - the write buffer */
  constructor (readonly buf: Buffer) {}
}

/**
 * Takes a write buffer from `pool`, or allocates one of `size` bytes when the pool is empty or holds
 * something that is not a write buffer.
 *
 * @param pool - the shared pool
 * @param size - bytes to allocate when the pool has none
 */
export function takeWriteBuffer (pool: BufferPool, size: number): Buffer {
  const value = pool.get()
  return value instanceof WritePoolData ? value.buf : Buffer.allocUnsafe(size)
}
