/**
 * Long-lived objects a server keeps before it starts, standing in for an application's own state
 * (its modules, caches, sessions). V8 sizes the old generation's limits from the live heap, so two
 * servers whose heaps differ by a few MB can fall on different sides of a GC threshold under the same
 * load; a common ballast puts every variant at the same, more realistic, heap size.
 */

/** Kept reachable for the life of the process. */
const kept: unknown[] = []

/** Small objects, not one big array: an application's heap is many small objects, and so is the marking work. */
const OBJECT_BYTES = 64

/**
 * Allocates about `mb` megabytes of small objects and keeps them alive.
 *
 * @param mb - megabytes; `0` keeps nothing
 */
export function keepBallast (mb: number): void {
  const count = Math.floor((mb * 1024 * 1024) / OBJECT_BYTES)
  const objects = new Array<{ id: number, next: unknown, a: unknown, b: unknown }>(count)
  for (let i = 0; i < count; i++) objects[i] = { id: i, next: null, a: null, b: null }
  kept.push(objects)
}
