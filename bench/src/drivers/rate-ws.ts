/**
 * The fixed-rate WebSocket workloads: echo (N open connections, messages dealt round-robin, every
 * echo checked byte for byte and by type, in order) and handshakes (each operation a whole
 * connection life: connect and upgrade, one checked echo, close handshake).
 */
import type WebSocket from 'ws'
import type { RawData } from 'ws'
import type { RateClient } from '../rate/pacing.js'
import { echoOnce } from './handshakes.js'
import { payload, stamp } from './ws-echo.js'
import { closeSocket, mapBounded, openSocket } from './ws-client.js'

const AS_BINARY = { binary: true }
const AS_TEXT = { binary: false }
const SEQ_BYTES = 8

interface Pending { seq: number, resolve: () => void, reject: (err: Error) => void }

/** One echo connection: sends stamped copies of its own payload and matches the echoes in order. */
class RateEchoConn {
  private readonly base: Buffer
  private readonly pending: Pending[] = []
  private nextSeq = 0
  private closedBy: string | undefined

  constructor (readonly ws: WebSocket, index: number, size: number) {
    this.base = payload(size, index)
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary))
    ws.on('close', (code) => this.failAll(`closed by the server (${code})`))
    ws.on('error', (err) => this.failAll(err.message))
  }

  /** Sends the next message; resolves when its echo came back intact. */
  send (): Promise<void> {
    if (this.closedBy !== undefined) return Promise.reject(new Error(this.closedBy))
    const seq = this.nextSeq++
    // A fresh buffer per message: the client may still hold an earlier one in its send queue.
    const buf = Buffer.from(this.base)
    stamp(buf, seq)
    const done = new Promise<void>((resolve, reject) => { this.pending.push({ seq, resolve, reject }) })
    this.ws.send(buf, (seq & 1) === 0 ? AS_BINARY : AS_TEXT)
    return done
  }

  private onMessage (data: RawData, isBinary: boolean): void {
    const p = this.pending.shift()
    if (p === undefined) return this.failAll('unexpected message with nothing in flight')
    const expectBinary = (p.seq & 1) === 0
    if (isBinary !== expectBinary) return p.reject(new Error(`message ${p.seq} sent as ${expectBinary ? 'binary' : 'text'} came back as ${isBinary ? 'binary' : 'text'}`))
    if (!Buffer.isBuffer(data) || !this.matches(data, p.seq)) return p.reject(new Error(`message ${p.seq} came back altered`))
    p.resolve()
  }

  private matches (data: Buffer, seq: number): boolean {
    if (data.length !== this.base.length) return false
    const head = Buffer.allocUnsafe(SEQ_BYTES)
    stamp(head, seq)
    return data.compare(head, 0, SEQ_BYTES, 0, SEQ_BYTES) === 0 && data.compare(this.base, SEQ_BYTES, data.length, SEQ_BYTES, data.length) === 0
  }

  private failAll (reason: string): void {
    this.closedBy ??= reason
    for (const p of this.pending.splice(0)) p.reject(new Error(`message ${p.seq}: ${reason}`))
  }
}

/**
 * Opens `connections` echo connections of `size`-byte messages to `url`: operation `seq` is a message on
 * connection `seq mod connections`, complete when its echo came back intact; closing runs every close handshake.
 */
export async function openEchoClient (url: string, connections: number, size: number): Promise<RateClient> {
  if (size < SEQ_BYTES) throw new RangeError(`message size must be at least ${SEQ_BYTES} bytes`)
  const opened = await mapBounded(connections, 50, () => openSocket(url))
  const sockets = opened.results.filter((ws): ws is WebSocket => ws !== undefined)
  if (opened.error !== undefined) {
    await Promise.all(sockets.map((ws) => closeSocket(ws)))
    throw new Error(`connect: ${(opened.error as Error).message}`)
  }
  const conns = sockets.map((ws, i) => new RateEchoConn(ws, i, size))
  return {
    op: (seq) => (conns[seq % conns.length] as RateEchoConn).send(),
    close: async () => {
      const codes = await Promise.all(conns.map((c) => closeSocket(c.ws)))
      const abnormal = codes.filter((code) => code !== 1000 && code !== 1005).length
      return abnormal === 0 ? null : `${abnormal} connections did not complete the close handshake`
    }
  }
}

/**
 * One complete connection life on `url`: connect and upgrade, one checked echo, close handshake (1000 or 1005).
 * Rejects with what went wrong.
 */
export async function handshakeCycle (url: string, seq: number): Promise<void> {
  const ws = await openSocket(url)
  try {
    await echoOnce(ws, `hello ${seq}`)
  } catch (err) {
    ws.terminate()
    throw err
  }
  const code = await closeSocket(ws)
  if (code !== 1000 && code !== 1005) throw new Error(`close handshake ended with ${code}`)
}

/** Handshakes on `url`: every operation a whole connection life (`handshakeCycle`); nothing stays open. */
export function handshakeClient (url: string): RateClient {
  return { op: (seq) => handshakeCycle(url, seq), close: async () => null }
}
