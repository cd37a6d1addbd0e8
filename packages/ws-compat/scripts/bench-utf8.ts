/**
 * Micro-benchmark of the per-fragment UTF-8 check: parses one fragmented text message with `ws`'s parser as
 * ws builds it and as `createReceiver` wraps it, and times `Utf8Stream.push` alone.
 * Server frames (unmasked, so the same bytes can be parsed again). Run: node --conditions=hertz-source --import tsx packages/ws-compat/scripts/bench-utf8.ts
 */
import { Receiver } from 'ws'
import { Utf8Stream } from '../src/conn/utf8-stream.js'
import { buildFrame, createReceiver, type Receiver as WsReceiver } from '../src/ws-internals.js'

function message (size: number, fragment: number): Buffer {
  // Mixed 1- to 4-byte code points, so that fragment edges cut code points.
  const text = Buffer.from('aé€😀'.repeat(Math.ceil(size / 10))).subarray(0, size)
  const frames: Buffer[] = []
  for (let at = 0; at < size; at += fragment) {
    const end = Math.min(at + fragment, size)
    frames.push(...buildFrame(text.subarray(at, end), { fin: end === size, opcode: at === 0 ? 1 : 0, rsv1: false, mask: false, readOnly: true }))
  }
  return Buffer.concat(frames)
}

function timeParse (make: () => WsReceiver, bytes: Buffer, rounds: number): number {
  const receiver = make()
  let got = 0
  receiver.on('message', () => { got++ })
  receiver.on('error', (err: Error) => { throw err })
  const start = process.hrtime.bigint()
  for (let i = 0; i < rounds; i++) receiver.write(bytes)
  const ns = Number(process.hrtime.bigint() - start)
  if (got !== rounds) throw new Error(`parsed ${got} of ${rounds}`)
  return ns / rounds
}

const size = 1 << 20
for (const fragment of [64, 1024, 16384]) {
  const bytes = message(size, fragment)
  const fragments = Math.ceil(size / fragment)
  const rounds = 40
  const plain = (): WsReceiver => new (Receiver as unknown as new (o: object) => WsReceiver)({ isServer: false, allowSynchronousEvents: true, binaryType: 'nodebuffer', maxPayload: 0 })
  const checked = (): WsReceiver => createReceiver({ isServer: false, allowSynchronousEvents: true, maxPayload: 0 })
  // Warm up both, then alternate to spread the machine's noise over both.
  timeParse(plain, bytes, 5); timeParse(checked, bytes, 5)
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < 5; i++) { a.push(timeParse(plain, bytes, rounds)); b.push(timeParse(checked, bytes, rounds)) }
  const median = (v: number[]): number => v.sort((x, y) => x - y)[2]!
  const [ma, mb] = [median(a), median(b)]
  const pieces = Buffer.from('aé€😀'.repeat(Math.ceil(size / 10))).subarray(0, size)
  const stream = new Utf8Stream()
  const start = process.hrtime.bigint()
  for (let r = 0; r < rounds; r++) {
    stream.reset()
    for (let at = 0; at < size; at += fragment) stream.push(pieces.subarray(at, Math.min(at + fragment, size)))
  }
  const pushNs = Number(process.hrtime.bigint() - start) / rounds / fragments
  console.log(`1 MiB text in ${fragment}-byte fragments (${fragments}): ws ${(ma / 1e6).toFixed(2)} ms, with the check ${(mb / 1e6).toFixed(2)} ms (+${(((mb - ma) / ma) * 100).toFixed(1)}%, ${((mb - ma) / fragments).toFixed(0)} ns/fragment); push alone ${pushNs.toFixed(0)} ns/fragment`)
}
