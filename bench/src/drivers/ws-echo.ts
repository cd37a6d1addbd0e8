/**
 * WebSocket echo driver: a bounded closed loop on the `ws` client.
 *
 * N connections each keep W messages in flight; every echo is compared byte for byte and by
 * type (text/binary alternate) with what was sent, in order. The run stops at the duration or
 * the message budget, whichever comes first, then waits (bounded) for the echoes still in
 * flight. Slowness lowers the numbers; only a wrong, missing or extra echo, or a dropped
 * connection, is a problem.
 */
import { performance } from 'node:perf_hooks'
import type WebSocket from 'ws'
import type { RawData } from 'ws'
import { LatencyRecorder } from '../stats.js'
import { closeSocket, mapBounded, openSocket } from './ws-client.js'

/** One echo run. */
export interface EchoLoad {
  /** `ws://HOST:PORT/echo`. */
  url: string
  connections: number
  /** Messages in flight per connection (W). */
  inFlight: number
  /** Bytes per message, at least 8 (the sequence stamp). */
  size: number
  durationSec: number
  /** Upper bound of messages sent in the whole run. */
  maxMessages: number
  /** How long to wait for the echoes in flight once sending stopped. */
  drainTimeoutMs?: number
}

/** What one run measured and what went wrong in it. */
export interface EchoResult {
  msgsPerSec: number
  p50Ms: number
  p99Ms: number
  sent: number
  received: number
  /** Failures of the server under test (empty when every echo matched). */
  problems: string[]
}

const SEQ_BYTES = 8
const HEX = Buffer.from('0123456789abcdef')
const AS_BINARY = { binary: true }
const AS_TEXT = { binary: false }
const MAX_PROBLEMS_LISTED = 5

/** Writes `seq` as 8 lowercase hex digits at the start of `buf` (ASCII keeps text frames valid). */
export function stamp (buf: Buffer, seq: number): void {
  for (let i = 0; i < SEQ_BYTES; i++) buf[i] = HEX[(seq >>> (28 - 4 * i)) & 15] as number
}

/** The payload of connection `conn`: printable ASCII, different per connection, so cross-talk shows. */
export function payload (size: number, conn: number): Buffer {
  const buf = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) buf[i] = 97 + ((i + conn) % 26)
  return buf
}

/** Shared state of one run: budget, counters, latencies, problems. */
class EchoRun {
  running = true
  sent = 0
  received = 0
  open: number
  readonly problems: string[] = []
  private problemCount = 0
  readonly latencies: LatencyRecorder
  onIdle: () => void = () => {}

  constructor (readonly load: EchoLoad) {
    this.open = load.connections
    this.latencies = new LatencyRecorder(load.maxMessages)
  }

  problem (msg: string): void {
    if (++this.problemCount <= MAX_PROBLEMS_LISTED) this.problems.push(msg)
    else if (this.problemCount === MAX_PROBLEMS_LISTED + 1) this.problems.push('(further problems not listed)')
  }

  /** A connection has nothing left in flight and will send no more. */
  connectionIdle (): void {
    if (--this.open === 0) this.onIdle()
  }
}

/** One client connection of the closed loop. */
class EchoConn {
  private readonly slots: Buffer[]
  private readonly sentAt: Float64Array
  private nextSend = 0
  private nextRecv = 0
  private idle = false

  constructor (private readonly run: EchoRun, readonly ws: WebSocket, private readonly index: number) {
    const { size, inFlight } = run.load
    // One buffer per in-flight slot: message k reuses slot k % W only after echo k - W came
    // back, so a buffer is never rewritten while the client may still be sending it.
    this.slots = Array.from({ length: inFlight }, () => payload(size, index))
    this.sentAt = new Float64Array(inFlight)
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary))
    ws.on('close', (code) => this.onClose(code))
    ws.on('error', (err) => this.run.problem(`connection ${index}: ${err.message}`))
  }

  start (): void {
    for (let i = 0; i < this.run.load.inFlight; i++) if (!this.send()) break
    if (this.nextSend === 0) this.becomeIdle()
  }

  /** Sends the next message unless the run stopped or its budget is spent. */
  private send (): boolean {
    const run = this.run
    if (!run.running || run.sent >= run.load.maxMessages) return false
    const seq = this.nextSend++
    const slot = seq % this.slots.length
    const buf = this.slots[slot] as Buffer
    stamp(buf, seq)
    this.sentAt[slot] = performance.now()
    run.sent++
    this.ws.send(buf, (seq & 1) === 0 ? AS_BINARY : AS_TEXT)
    return true
  }

  private onMessage (data: RawData, isBinary: boolean): void {
    if (this.idle) return
    const seq = this.nextRecv
    if (seq === this.nextSend) return this.fail(`unexpected message (${byteLength(data)} B) with nothing in flight`)
    const slot = seq % this.slots.length
    const expected = this.slots[slot] as Buffer
    const expectBinary = (seq & 1) === 0
    if (isBinary !== expectBinary) return this.fail(`message ${seq} sent as ${expectBinary ? 'binary' : 'text'} came back as ${isBinary ? 'binary' : 'text'}`)
    if (!Buffer.isBuffer(data) || !data.equals(expected)) return this.fail(`message ${seq} came back altered (${byteLength(data)} B, expected ${expected.length} B)`)
    this.run.latencies.record(performance.now() - (this.sentAt[slot] as number))
    this.nextRecv++
    this.run.received++
    if (!this.send() && this.nextRecv === this.nextSend) this.becomeIdle()
  }

  private onClose (code: number): void {
    if (this.idle) return
    this.run.problem(`connection ${this.index} closed by the server (${code}) with ${this.nextSend - this.nextRecv} echoes missing`)
    this.becomeIdle()
  }

  private fail (msg: string): void {
    this.run.problem(`connection ${this.index}: ${msg}`)
    this.becomeIdle()
    this.ws.terminate()
  }

  private becomeIdle (): void {
    if (this.idle) return
    this.idle = true
    this.run.connectionIdle()
  }

  /** Echoes still missing. */
  get missing (): number { return this.idle ? 0 : this.nextSend - this.nextRecv }
}

function byteLength (data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0)
  return data.byteLength
}

/** Runs the closed loop against `load.url`. */
export async function runEcho (load: EchoLoad): Promise<EchoResult> {
  if (load.size < SEQ_BYTES) throw new RangeError(`message size must be at least ${SEQ_BYTES} bytes`)
  const run = new EchoRun(load)
  const opened = await mapBounded(load.connections, 50, () => openSocket(load.url))
  const sockets = opened.results.filter((ws): ws is WebSocket => ws !== undefined)
  if (opened.error !== undefined) {
    await Promise.all(sockets.map((ws) => closeSocket(ws)))
    return { msgsPerSec: 0, p50Ms: NaN, p99Ms: NaN, sent: 0, received: 0, problems: [`connect: ${(opened.error as Error).message}`] }
  }

  const conns = sockets.map((ws, i) => new EchoConn(run, ws, i))
  const idle = new Promise<void>((resolve) => { run.onIdle = resolve })
  const t0 = performance.now()
  const stopTimer = setTimeout(() => { run.running = false }, load.durationSec * 1000)
  for (const c of conns) c.start()

  // Bounded wait: the duration, then the drain allowance for the echoes in flight.
  const drainMs = load.drainTimeoutMs ?? 10_000
  let drainTimer: NodeJS.Timeout | undefined
  const deadline = new Promise<'timeout'>((resolve) => {
    drainTimer = setTimeout(() => resolve('timeout'), load.durationSec * 1000 + drainMs)
  })
  const outcome = await Promise.race([idle, deadline])
  const elapsedMs = performance.now() - t0
  run.running = false
  clearTimeout(stopTimer)
  clearTimeout(drainTimer)
  if (outcome === 'timeout') {
    const missing = conns.reduce((n, c) => n + c.missing, 0)
    run.problem(`${missing} echoes not received ${drainMs} ms after sending stopped`)
  }

  const codes = await Promise.all(conns.map((c) => closeSocket(c.ws)))
  const abnormal = codes.filter((code) => code !== 1000 && code !== 1005).length
  if (abnormal > 0 && run.problems.length === 0) run.problem(`${abnormal} connections did not complete the close handshake`)

  const [p50, p99] = run.latencies.percentiles(50, 99)
  return {
    msgsPerSec: run.received / (elapsedMs / 1000),
    p50Ms: p50 as number,
    p99Ms: p99 as number,
    sent: run.sent,
    received: run.received,
    problems: run.problems
  }
}
