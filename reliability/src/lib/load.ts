/**
 * Bounded WebSocket load generator over raw sockets. It opens `held` connections that each echo one
 * message and then stay open until all of them are up (so they are concurrent), interleaved with
 * connections that are cut abruptly mid-handshake or mid-message (FIN or RST, chosen at random).
 * Bounded by count and by `deadlineMs`; it stops by itself and leaves nothing open.
 */
import { clientClose, Op } from './frames.js'
import { buildFrame } from '@hertz-node/test-kit/frames'
import { Prng } from './prng.js'
import { RawConn } from './raw-client.js'
import { handshakeHeaders, rawRequest } from '@hertz-node/test-kit/handshake'

/** What to generate. */
export interface LoadOptions {
  port: number
  path: string
  seed: number
  /** Connections that complete, echo once and stay open until every one is up. */
  held: number
  /** Connections cut after a random prefix of the handshake request. */
  cutMidHandshake: number
  /** Connections cut after the handshake, inside a frame. */
  cutMidMessage: number
  /** Handshakes in flight at once. */
  maxConnecting: number
  deadlineMs: number
}

/** What happened. */
export interface LoadResult {
  attempted: number
  /** Held connections that echoed correctly. */
  echoed: number
  /** Most held connections open at the same time. */
  peakOpen: number
  cutMidHandshake: number
  cutMidMessage: number
  /** Held connections whose close handshake completed and whose socket the server then closed. */
  closedClean: number
  /** First problems seen (at most 10) and their total. */
  failures: string[]
  failureCount: number
  elapsedMs: number
}

type Fate = 'held' | 'handshake' | 'message'

/** Sends one masked text message and checks that the echo comes back intact. */
async function echoOnce (conn: RawConn, text: string, mask: Buffer): Promise<void> {
  conn.write(buildFrame({ opcode: Op.Text, payload: Buffer.from(text), mask }))
  const f = await conn.frame(10_000)
  if (f.opcode !== Op.Text || f.payload.toString() !== text) {
    throw new Error(`bad echo: opcode ${f.opcode} ${JSON.stringify(f.payload.toString().slice(0, 40))}`)
  }
}

/**
 * Opens `count` WebSockets to `path`, `maxConnecting` handshakes at a time, each checked with one echo.
 * Rejects (after destroying what it opened) if any fails.
 */
export async function openEchoing (port: number, path: string, count: number, maxConnecting: number): Promise<RawConn[]> {
  const out: RawConn[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++
      const conn = await RawConn.connect(port)
      out.push(conn)
      conn.write(rawRequest(`GET ${path} HTTP/1.1`, handshakeHeaders(`127.0.0.1:${port}`)))
      const res = await conn.response(10_000)
      if (res.status !== 101) throw new Error(`handshake ${i} to ${path} answered ${res.status}`)
      await echoOnce(conn, `hello ${i}`, Buffer.from([i & 0xff, 1, 2, 3]))
    }
  }
  try {
    await Promise.all(Array.from({ length: maxConnecting }, worker))
  } catch (err) {
    for (const c of out) c.destroy()
    throw err
  }
  return out
}

function cut (conn: RawConn, p: Prng): void {
  if (p.chance(0.5)) conn.socket.resetAndDestroy()
  else conn.destroy()
}

/** Runs the load; every socket it opened is closed when the promise resolves. */
export async function runLoad (o: LoadOptions): Promise<LoadResult> {
  const started = Date.now()
  const p = new Prng(o.seed)
  const fates: Fate[] = [
    ...Array<Fate>(o.held).fill('held'),
    ...Array<Fate>(o.cutMidHandshake).fill('handshake'),
    ...Array<Fate>(o.cutMidMessage).fill('message')
  ]
  for (let i = fates.length - 1; i > 0; i--) {
    const j = p.int(0, i)
    ;[fates[i], fates[j]] = [fates[j]!, fates[i]!]
  }
  const r: LoadResult = {
    attempted: 0,
    echoed: 0,
    peakOpen: 0,
    cutMidHandshake: 0,
    cutMidMessage: 0,
    closedClean: 0,
    failures: [],
    failureCount: 0,
    elapsedMs: 0
  }
  const fail = (msg: string): void => {
    r.failureCount++
    if (r.failures.length < 10) r.failures.push(msg)
  }
  const held: RawConn[] = []
  const all = new Set<RawConn>()
  const host = `127.0.0.1:${o.port}`
  const stopAt = started + o.deadlineMs
  let index = 0
  let open = 0

  const one = async (fate: Fate, i: number, cp: Prng): Promise<void> => {
    const conn = await RawConn.connect(o.port)
    all.add(conn)
    const request = Buffer.from(rawRequest(`GET ${o.path} HTTP/1.1`, handshakeHeaders(host)))
    if (fate === 'handshake') {
      conn.write(request.subarray(0, cp.int(0, request.length - 1)))
      if (cp.chance(0.5)) await new Promise(resolve => setTimeout(resolve, cp.int(0, 3)))
      cut(conn, cp)
      r.cutMidHandshake++
      return
    }
    conn.write(request)
    const res = await conn.response(10_000)
    if (res.status !== 101) throw new Error(`handshake answered ${res.status}`)
    if (fate === 'message') {
      const frame = buildFrame({ opcode: cp.pick([Op.Text, Op.Binary]), payload: Buffer.from(cp.text(cp.int(10, 2000))), mask: cp.bytes(4) })
      conn.write(frame.subarray(0, cp.int(1, frame.length - 1)))
      if (cp.chance(0.5)) await new Promise(resolve => setTimeout(resolve, cp.int(0, 3)))
      cut(conn, cp)
      r.cutMidMessage++
      return
    }
    await echoOnce(conn, `hello ${i}`, cp.bytes(4))
    r.echoed++
    held.push(conn)
    open++
    void conn.closed.then(() => open--)
    r.peakOpen = Math.max(r.peakOpen, open)
  }

  const worker = async (): Promise<void> => {
    while (index < fates.length && Date.now() < stopAt) {
      const i = index++
      r.attempted++
      try {
        await one(fates[i]!, i, p.fork())
      } catch (err) {
        fail(`#${i} (${fates[i]}): ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  }
  await Promise.all(Array.from({ length: o.maxConnecting }, worker))

  // Close every held connection with a proper close handshake and wait for the server's side.
  await Promise.all(held.map(async conn => {
    conn.write(clientClose(1000))
    try {
      const f = await conn.frame(Math.max(1000, stopAt - Date.now()))
      if (f.opcode === Op.Close && await conn.waitClosed(Math.max(1000, stopAt - Date.now()))) r.closedClean++
      else fail(`close reply was opcode ${f.opcode} or the socket stayed open`)
    } catch (err) {
      fail(`closing: ${err instanceof Error ? err.message : String(err)}`)
    }
  }))
  for (const c of all) c.destroy()
  r.elapsedMs = Date.now() - started
  return r
}
