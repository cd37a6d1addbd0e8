/**
 * Drives fuzz cases against a server: one connection per case, the valid prefix first (every echo and
 * pong checked), then the violation, then the close code, the close handshake and the TCP close.
 * Writes are cut into random pieces so the server's parser sees frames split at every possible byte.
 */
import { MessageAssembler } from './frame-reader.js'
import { casePrng, generateCase, type FuzzCase } from './fuzz-cases.js'
import { clientClose } from './frames.js'
import { RawConn, PeerClosedError } from './raw-client.js'
import { handshakeHeaders, rawRequest } from '@hertz-node/test-kit/handshake'

/** What happened to one case. */
export interface CaseOutcome {
  id: number
  category: string
  frames: number
  survived: boolean
  /** Why it was lost (empty when survived). */
  problem: string
}

/** Totals per category. */
export interface FuzzTally {
  cases: number
  /** Every frame sent: valid prefixes and violations. */
  frames: number
  /** The violating (generated or mutated) frames among them: the part RFC 6455 requires a close for. */
  violatingFrames: number
  lost: CaseOutcome[]
  byCategory: Record<string, { tried: number, survived: number, lost: number }>
}

const STEP_MS = 5000

async function sendPieces (conn: RawConn, frames: Buffer[], c: FuzzCase, salt: number): Promise<void> {
  if (frames.length === 0) return
  const p = casePrng(c.id, salt)
  for (const piece of p.split(Buffer.concat(frames), 6)) {
    conn.write(piece)
    // Yield now and then so pieces reach the server as separate reads.
    if (p.chance(0.3)) await new Promise(resolve => setImmediate(resolve))
  }
}

function sameMessages (a: MessageAssembler, c: FuzzCase): string {
  if (a.messages.length !== c.echoes.length) return `${a.messages.length} echoes, expected ${c.echoes.length}`
  for (let i = 0; i < c.echoes.length; i++) {
    const got = a.messages[i]!
    const want = c.echoes[i]!
    if (got.opcode !== want.opcode || !got.data.equals(want.data)) {
      return `echo ${i} differs (opcode ${got.opcode} vs ${want.opcode}, ${got.data.length} vs ${want.data.length} bytes)`
    }
  }
  const pongs = a.pongs.map(b => b.toString('hex')).sort()
  const want = c.pongs.map(b => b.toString('hex')).sort()
  if (pongs.join() !== want.join()) return `pongs ${pongs.length}, expected ${want.length} with the ping payloads`
  return ''
}

/** Runs one case on a fresh connection. */
export async function runCase (port: number, path: string, c: FuzzCase): Promise<CaseOutcome> {
  const frames = c.prefix.length + c.bad.length
  const out = (problem: string): CaseOutcome => ({ id: c.id, category: c.category, frames, survived: problem === '', problem })
  let conn: RawConn | undefined
  try {
    conn = await RawConn.connect(port)
    conn.write(rawRequest(`GET ${path} HTTP/1.1`, handshakeHeaders(`127.0.0.1:${port}`)))
    const res = await conn.response(STEP_MS)
    if (res.status !== 101) return out(`handshake answered ${res.status}`)

    const a = new MessageAssembler()
    await sendPieces(conn, c.prefix, c, 1)
    while (a.messages.length < c.echoes.length || a.pongs.length < c.pongs.length) {
      a.add(await conn.frame(STEP_MS))
      if (a.closed) return out(`server closed with ${a.closeCode} during the valid prefix`)
    }
    const prefixProblem = sameMessages(a, c)
    if (prefixProblem !== '') return out(prefixProblem)

    await sendPieces(conn, c.bad, c, 2)
    while (!a.closed) {
      try {
        a.add(await conn.frame(STEP_MS))
      } catch (err) {
        if (err instanceof PeerClosedError) return out(`connection ended without a close frame (expected ${c.expected.join('/')})`)
        throw err
      }
    }
    if (a.violations.length > 0) return out(`server frames broke the protocol: ${a.violations.join('; ')}`)
    if (a.closeCode === undefined || !c.expected.includes(a.closeCode)) {
      return out(`close code ${a.closeCode ?? 'none'} (${a.closeReason}), expected ${c.expected.join('/')}`)
    }
    conn.write(clientClose(a.closeCode))
    if (!(await conn.waitClosed(STEP_MS))) return out('socket still open after the close handshake')
    return out('')
  } catch (err) {
    return out(err instanceof Error ? err.message : String(err))
  } finally {
    conn?.destroy()
  }
}

/**
 * Runs cases `0..` under `seed` with `concurrency` connections at a time until `minFrames` frames were
 * sent (or `deadlineMs` passes), and tallies the outcome per category.
 */
export async function runFuzz (opts: {
  port: number
  path: string
  seed: number
  limit: number
  minFrames: number
  concurrency: number
  deadlineMs: number
  only?: number
}): Promise<FuzzTally> {
  const tally: FuzzTally = { cases: 0, frames: 0, violatingFrames: 0, lost: [], byCategory: {} }
  const stopAt = Date.now() + opts.deadlineMs
  let next = opts.only ?? 0
  let sentFrames = 0
  const more = (): boolean => opts.only !== undefined ? next === opts.only : sentFrames < opts.minFrames && Date.now() < stopAt
  const worker = async (): Promise<void> => {
    while (more()) {
      const c = generateCase(opts.seed, next++, opts.limit)
      sentFrames += c.prefix.length + c.bad.length
      const r = await runCase(opts.port, opts.path, c)
      tally.cases++
      tally.frames += r.frames
      tally.violatingFrames += c.bad.length
      const cat = tally.byCategory[r.category] ??= { tried: 0, survived: 0, lost: 0 }
      cat.tried++
      if (r.survived) cat.survived++
      else { cat.lost++; tally.lost.push(r) }
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, worker))
  return tally
}
