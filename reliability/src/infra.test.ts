/**
 * The suite's own tools, validated against the reference server (`ws` on `node:http`, no code of ours):
 * if a tool disagrees with `ws`, the tool is wrong. Run alone with
 * `npx tap --disable-coverage reliability/src/infra.test.ts`.
 */
import net from 'node:net'
import t from 'tap'
import { closePayload, clientClose, Op } from './lib/frames.js'
import { buildFrame, parseFrame } from '@hertz-node/test-kit/frames'
import { MessageAssembler } from './lib/frame-reader.js'
import { MUTATIONS, generateCase } from './lib/fuzz-cases.js'
import { runCase, runFuzz } from './lib/fuzz-runner.js'
import { runLoad } from './lib/load.js'
import { BARE_WS, describeMatrix, startFor } from './lib/matrix.js'
import { Prng, runSeed } from './lib/prng.js'
import { RawPool } from './lib/raw-client.js'
import { acceptKey, handshakeHeaders, newKey, rawRequest } from '@hertz-node/test-kit/handshake'
import { CrashWatch, excess, expectBaseline, snapshot } from './lib/resources.js'

const seed = runSeed()
t.comment(`seed ${seed} (RELIABILITY_SEED=${seed} reproduces this run)`)

t.test('PRNG is deterministic per seed and splits cover the input', async t => {
  const a = new Prng(42)
  const b = new Prng(42)
  const xs = Array.from({ length: 100 }, () => a.next())
  t.same(xs, Array.from({ length: 100 }, () => b.next()), 'same seed, same sequence')
  t.ok(xs.every(x => x >= 0 && x < 1), 'floats in [0, 1)')
  t.not(new Prng(43).next(), new Prng(42).next(), 'another seed, another sequence')
  const buf = a.bytes(1000)
  for (let i = 0; i < 50; i++) t.same(Buffer.concat(a.split(buf, 8)), buf)
})

t.test('frame builder and reader round-trip every length encoding, mask and header bit', async t => {
  const p = new Prng(seed)
  for (const [size, bits, marker] of [[0, 7, 0], [125, 7, 125], [126, 16, 126], [65535, 16, 126], [65536, 64, 127], [5, 16, 126], [5, 64, 127]] as const) {
    const payload = p.bytes(size)
    const key = p.bytes(4)
    const frame = buildFrame({ opcode: Op.Binary, payload, mask: key, lengthBits: bits, rsv: 5, fin: false })
    t.equal(frame[1]! & 0x7f, marker, `${size} bytes as ${bits}-bit length`)
    const parsed = parseFrame(frame)!
    t.equal(parsed.used, frame.length)
    t.same(parsed.frame, { fin: false, rsv: 5, opcode: Op.Binary, masked: true, payload }, 'unmasked back to the payload')
    t.equal(parseFrame(frame.subarray(0, frame.length - 1)), null, 'a partial frame waits for more bytes')
  }
  const unmasked = buildFrame({ opcode: Op.Text, payload: Buffer.from('hi'), mask: null })
  t.same([...unmasked], [0x81, 0x02, 0x68, 0x69], 'unmasked frame bytes')
  const lie = buildFrame({ opcode: Op.Binary, payload: Buffer.alloc(3), lengthBits: 64, declaredLength: 1n << 63n })
  t.equal(lie.readBigUInt64BE(2), 1n << 63n, 'declared length is written as given')
  t.throws(() => buildFrame({ opcode: Op.Ping, payload: Buffer.alloc(200), lengthBits: 7 }), RangeError)
  const a = new MessageAssembler()
  a.add(parseFrame(buildFrame({ opcode: Op.Text, fin: false, payload: Buffer.from('he'), mask: null }))!.frame)
  a.add(parseFrame(buildFrame({ opcode: Op.Ping, payload: Buffer.from('x'), mask: null }))!.frame)
  a.add(parseFrame(buildFrame({ opcode: Op.Continuation, payload: Buffer.from('llo'), mask: null }))!.frame)
  a.add(parseFrame(buildFrame({ opcode: Op.Close, payload: closePayload(1002, 'bad'), mask: null }))!.frame)
  t.same(a.messages.map(m => m.data.toString()), ['hello'], 'fragments reassembled around a ping')
  t.same([a.closeCode, a.closeReason, a.pings.length], [1002, 'bad', 1])
  t.same(a.violations, [], 'unmasked server frames are clean')
  a.add(parseFrame(buildFrame({ opcode: Op.Text, payload: Buffer.from('x'), rsv: 4 }))!.frame)
  t.same(a.violations, ['server frame is masked', 'server frame has RSV 4', 'frame after close'], 'violations detected')
})

t.test('fuzz cases are reproducible by (seed, id) and every category is reachable', async t => {
  const c1 = generateCase(seed, 17, 131072)
  const c2 = generateCase(seed, 17, 131072)
  t.same(Buffer.concat([...c1.prefix, ...c1.bad]), Buffer.concat([...c2.prefix, ...c2.bad]), 'same bytes')
  const seen = new Set<string>()
  for (let id = 0; id < 2000; id++) seen.add(generateCase(seed, id, 131072).category)
  t.same([...seen].sort(), Object.keys(MUTATIONS).sort(), 'all categories generated in 2000 cases')
})

describeMatrix(t, 'raw handshake client against ws', async (t, path) => {
  const app = await startFor(t, path)
  const pool = new RawPool()
  t.teardown(() => pool.destroyAll())

  const key = newKey()
  const ok = await pool.connect(app.port)
  // The first frame rides in the same write as the request: it must not be lost.
  ok.write(Buffer.concat([
    Buffer.from(rawRequest(`GET ${app.wsPath} HTTP/1.1`, handshakeHeaders(app.host, {}, key))),
    buildFrame({ opcode: Op.Text, payload: Buffer.from('first') })
  ]))
  const res = await ok.response()
  t.equal(res.status, 101)
  t.same(res.headers['sec-websocket-accept'], [acceptKey(key)], 'accept key')
  const echo = await ok.frame()
  t.same([echo.opcode, echo.payload.toString()], [Op.Text, 'first'], 'pipelined frame echoed')
  ok.write(clientClose(1000))
  const closing = await ok.readUntilClose()
  t.equal(closing.closeCode, 1000, 'close echoed')
  t.ok(await ok.waitClosed(3000), 'server closed the socket')

  const bad = await pool.connect(app.port)
  bad.write(rawRequest(`GET ${app.wsPath} HTTP/1.1`, handshakeHeaders(app.host, { 'Sec-WebSocket-Version': '12' })))
  const r400 = await bad.response()
  t.equal(r400.status, 400, 'version 12 refused')
  t.ok(await bad.waitClosed(3000), 'socket closed after the refusal')

  const post = await pool.connect(app.port)
  post.write(rawRequest(`POST ${app.wsPath} HTTP/1.1`, handshakeHeaders(app.host)))
  t.equal((await post.response()).status, 405, 'POST refused with 405')

  const partial = await pool.connect(app.port)
  partial.write('GET /ws HTTP/1.1\r\nHost: ')
  partial.destroy()

  const plain = await pool.connect(app.port)
  plain.write('GET /http HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const r200 = await plain.response()
  t.same([r200.status, r200.body.toString()], [200, 'ok'], 'server still serving')
}, [BARE_WS])

describeMatrix(t, 'fuzz oracle agrees with ws', async (t, path) => {
  const limit = 131072
  const app = await startFor(t, path, { readLimit: limit })
  const watch = new CrashWatch().start()
  const tally = await runFuzz({ port: app.port, path: app.wsPath, seed, limit, minFrames: 1500, concurrency: 16, deadlineMs: 60_000 })
  t.same(watch.stop(), [], 'no uncaught error')
  t.ok(tally.frames >= 1500, `${tally.frames} frames in ${tally.cases} cases`)
  t.same(tally.lost, [], 'every case closed with its RFC code')
  for (const name of Object.keys(MUTATIONS)) {
    const c = generateCase(seed, 0, limit)
    c.category = name
    const m = MUTATIONS[name]!(new Prng(seed), limit)
    c.bad = m.specs.map(buildFrame)
    c.expected = m.expected
    const r = await runCase(app.port, app.wsPath, c)
    t.ok(r.survived, `${name}: ${r.problem || 'closed with ' + m.expected.join('/')}`)
  }
}, [BARE_WS])

describeMatrix(t, 'load generator and baseline checker against ws', async (t, path) => {
  const base = snapshot()
  const app = await path.start()
  const r = await runLoad({ port: app.port, path: app.wsPath, seed, held: 300, cutMidHandshake: 100, cutMidMessage: 100, maxConnecting: 64, deadlineMs: 30_000 })
  t.same(r.failures, [], 'no failures')
  t.same([r.attempted, r.echoed, r.cutMidHandshake, r.cutMidMessage, r.closedClean], [500, 300, 100, 100, 300])
  t.equal(r.peakOpen, 300, 'all held connections open at once')
  t.not(excess(base, snapshot()).length, 0, 'the checker sees the open server')
  await app.close()
  await expectBaseline(t, base, 'after load')
}, [BARE_WS])

t.test('baseline checker reports a leaked socket and listener', async t => {
  const base = snapshot()
  const server = net.createServer(s => s.on('error', () => {})).listen(0, '127.0.0.1')
  await new Promise(resolve => server.once('listening', resolve))
  const leak = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
  await new Promise(resolve => leak.once('connect', resolve))
  const onWarning = (): void => {}
  process.on('warning', onWarning)
  const diff = excess(base, snapshot())
  t.match(diff.join('\n'), /TCPServerWrap: \d+ -> \d+/)
  t.match(diff.join('\n'), /TCPSocketWrap/)
  t.match(diff.join('\n'), /process 'warning' listeners/)
  process.off('warning', onWarning)
  leak.destroy()
  server.close()
  await expectBaseline(t, base, 'after cleanup')
})
