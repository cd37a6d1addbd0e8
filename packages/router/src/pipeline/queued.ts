import type { Socket } from 'node:net'

// With an idle timeout of 0 a connection is closed after its response, as in Hertz; but requests a client
// pipelined that have already arrived are answered first. node:http parses them as they come, so the engine
// counts, per connection, the requests it has been handed and not yet answered.

const kQueued = Symbol('hertz.queuedRequests')

interface Counted {
  [kQueued]?: number
}

/** A request arrived on `socket`. */
export function requestArrived (socket: Socket): void {
  const s = socket as Counted
  s[kQueued] = (s[kQueued] ?? 0) + 1
}

/** The answer to one request on `socket` is written. */
export function requestAnswered (socket: Socket): void {
  const s = socket as Counted
  s[kQueued] = (s[kQueued] ?? 1) - 1
}

/** True when another request than the one being answered waits on `socket`. */
export function moreQueued (socket: Socket): boolean {
  return ((socket as Counted)[kQueued] ?? 0) > 1
}
