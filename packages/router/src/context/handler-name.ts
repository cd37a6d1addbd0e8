// Hertz's handler names: `SetHandlerName(handler, name)` registers a name, `c.HandlerName()` reports the main
// handler's. Kept in a WeakMap, so a registration never keeps a handler alive.

const names = new WeakMap<object, string>()

/** Registers `name` for `handler` (Hertz's `app.SetHandlerName`). */
export function setHandlerName (handler: object, name: string): void {
  names.set(handler, name)
}

/** The registered name of `handler`, else its function name, else '' (Hertz's `app.GetHandlerName`). */
export function getHandlerName (handler: unknown): string {
  if (typeof handler !== 'function') return ''
  return names.get(handler) ?? handler.name
}
