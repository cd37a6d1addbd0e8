/**
 * The contract between this package and `ws`: everything ws-internals.ts relies on, checked against the
 * installed `ws`. When a `ws` upgrade breaks one of these, fix ws-internals.ts (and only it), then widen the
 * `ws` range in package.json (and the root's devDependency) to the release this test passed on.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import {
  PERMESSAGE_DEFLATE,
  buildFrame,
  closeCodeOf,
  createPerMessageDeflate,
  createReceiver,
  dropBuffered,
  formatExtensions,
  parseExtensions,
  setDeflateOptions,
  setMaxPayload,
  type PerMessageDeflate,
  type Receiver,
  type ReceiverOptions,
} from './ws-internals.js'
import { WORD_UNMASK_MIN, wsUnmasksNatively } from './conn/unmask.js'

const require = createRequire(import.meta.url)

/** The close code `ws` itself attached to a parser error, read through its private symbol (test only). */
function wsOwnCloseCode (err: Error): number | undefined {
  const symbol = Object.getOwnPropertySymbols(err).find((s) => s.description === 'status-code')
  return symbol === undefined ? undefined : (err as unknown as Record<symbol, number>)[symbol]
}

/** A client frame (masked, the payload left intact) as a server's parser receives it. */
function clientFrame (opcode: number, payload: Buffer | string, opts: { fin?: boolean; rsv1?: boolean } = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload
  return Buffer.concat(buildFrame(data, { fin: opts.fin ?? true, opcode, rsv1: opts.rsv1 ?? false, mask: true, readOnly: true }))
}

/** A client's permessage-deflate, agreed without context takeover. */
function clientDeflate (): PerMessageDeflate {
  const pmd = createPerMessageDeflate({ serverNoContextTakeover: true, clientNoContextTakeover: true, isServer: false, maxPayload: 0 })
  pmd.accept([{ server_no_context_takeover: [true], client_no_context_takeover: [true] }])
  return pmd
}

/** A server's permessage-deflate, agreed without context takeover. */
function serverDeflate (maxPayload = 0): PerMessageDeflate {
  const pmd = createPerMessageDeflate({ serverNoContextTakeover: true, clientNoContextTakeover: true, isServer: true, maxPayload })
  pmd.accept([{}])
  return pmd
}

function compress (pmd: PerMessageDeflate, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pmd.compress(data, true, (err, out) => { if (err != null || out === undefined) reject(err); else resolve(out) })
  })
}

type Event = [name: string, ...args: unknown[]]

/** A server parser that records what it emits. */
function recordingReceiver (options: ReceiverOptions = {}): { receiver: Receiver; events: Event[] } {
  const receiver = createReceiver({ allowSynchronousEvents: true, isServer: true, maxPayload: 0, ...options })
  const events: Event[] = []
  for (const name of ['message', 'ping', 'pong', 'conclude', 'error']) {
    receiver.on(name, (...args: unknown[]) => events.push([name, ...args]))
  }
  return { receiver, events }
}

/** The next error `receiver` emits; rejects when none comes (the parser accepted what it should refuse). */
function nextError (receiver: Receiver): Promise<Error> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the parser emitted no error')), 2000)
    receiver.once('error', (err: Error) => { clearTimeout(timer); resolve(err) })
  })
}

/** The error the parser emits for `bytes`. */
function parseError (bytes: Buffer, options: ReceiverOptions = {}): Promise<Error> {
  const { receiver } = recordingReceiver(options)
  const err = nextError(receiver)
  receiver.write(bytes)
  return err
}

t.test('the installed ws is inside the range package.json pins', async (t) => {
  const installed = (JSON.parse(readFileSync(require.resolve('ws/package.json'), 'utf8')) as { version: string }).version
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> }
  const pinned = manifest.dependencies['ws'] as string
  const [, major, minor] = /^~(\d+)\.(\d+)\.\d+$/.exec(pinned) ?? []
  t.ok(major !== undefined, `ws is pinned to a minor range (~x.y.z), not ${pinned}`)
  t.equal(installed.split('.').slice(0, 2).join('.'), `${major}.${minor}`, `ws ${installed} satisfies ${pinned}`)
})

t.test('Receiver parses frames into message, ping, pong and conclude events', async (t) => {
  const { receiver, events } = recordingReceiver()
  receiver.write(Buffer.concat([
    clientFrame(1, 'hé'),
    clientFrame(2, Buffer.from([0, 1, 2])),
    clientFrame(9, 'p'),
    clientFrame(10, 'q'),
    clientFrame(1, 'frag', { fin: false }),
    clientFrame(0, 'ment'),
    clientFrame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')])),
  ]))
  await new Promise((resolve) => setImmediate(resolve))
  t.same(events.map(([name, ...args]) => [name, ...args.map((a) => Buffer.isBuffer(a) ? a.toString('hex') : a)]), [
    ['message', Buffer.from('hé').toString('hex'), false],
    ['message', '000102', true],
    ['ping', Buffer.from('p').toString('hex')],
    ['pong', Buffer.from('q').toString('hex')],
    ['message', Buffer.from('fragment').toString('hex'), false],
    ['conclude', 1000, Buffer.from('bye').toString('hex')],
  ], 'binary messages are Buffers (binaryType nodebuffer); a close frame concludes with code and reason')
})

t.test('Sender.frame builds headers, masks, and leaves read-only data intact', async (t) => {
  t.same(Buffer.concat(buildFrame(Buffer.from('hi'), { fin: true, opcode: 1, rsv1: false, mask: false, readOnly: false })),
    Buffer.from([0x81, 0x02, 0x68, 0x69]), 'server frame: FIN + opcode, unmasked length')
  t.same(buildFrame(Buffer.alloc(0), { fin: false, opcode: 2, rsv1: true, mask: false, readOnly: false })[0],
    Buffer.from([0x42, 0x00]), 'RSV1 set, FIN clear, empty payload')
  const long = buildFrame(Buffer.alloc(300), { fin: true, opcode: 2, rsv1: false, mask: false, readOnly: false })[0] as Buffer
  t.same(long.subarray(0, 4), Buffer.from([0x82, 126, 0x01, 0x2c]), '16-bit extended length')
  const data = Buffer.from('payload')
  const masked = Buffer.concat(buildFrame(data, { fin: true, opcode: 1, rsv1: false, mask: true, readOnly: true }))
  t.equal(data.toString(), 'payload', 'readOnly: the caller\'s buffer is not masked in place')
  t.equal(masked[1]! & 0x80, 0x80, 'the MASK bit is set')
  const unmasked = Buffer.from(masked.subarray(6).map((b, i) => b ^ masked[2 + (i % 4)]!))
  t.equal(unmasked.toString(), 'payload', 'the payload is masked with the key in the header')
})

t.test('closeCodeOf gives the close code ws itself attaches to each parser error', async (t) => {
  const compressed = await compress(clientDeflate(), Buffer.alloc(1000, 'a'))
  const cases: Array<[string, Buffer, ReceiverOptions, number]> = [
    ['RSV2 set', Buffer.from([0xa1, 0x80, 0, 0, 0, 0]), {}, 1002],
    ['RSV1 without an extension', clientFrame(1, 'x', { rsv1: true }), {}, 1002],
    ['reserved opcode', clientFrame(3, 'x'), {}, 1002],
    ['continuation without a message', clientFrame(0, 'x'), {}, 1002],
    ['fragmented control frame', clientFrame(9, 'x', { fin: false }), {}, 1002],
    ['control frame over 125 bytes', clientFrame(9, Buffer.alloc(126)), {}, 1002],
    ['unmasked client frame', Buffer.from([0x81, 0x01, 0x78]), {}, 1002],
    ['invalid UTF-8 text', clientFrame(1, Buffer.from([0xff, 0xfe])), {}, 1007],
    ['invalid close code', clientFrame(8, Buffer.from([0x03, 0xe7])), {}, 1002],
    ['frame over maxPayload', clientFrame(2, Buffer.alloc(20)), { maxPayload: 10 }, 1009],
    ['message over maxPayload', Buffer.concat([clientFrame(2, Buffer.alloc(8), { fin: false }), clientFrame(0, Buffer.alloc(8))]), { maxPayload: 10 }, 1009],
    ['too many fragments', Buffer.concat([clientFrame(2, 'a', { fin: false }), clientFrame(0, 'b', { fin: false }), clientFrame(0, 'c', { fin: false })]), { maxFragments: 2 }, 1008],
    ['compressed payload zlib cannot inflate', clientFrame(2, Buffer.from([0xff, 0xff, 0xff, 0xff]), { rsv1: true }), { extensions: { [PERMESSAGE_DEFLATE]: serverDeflate() } }, 1007],
    ['inflated message over the limit', clientFrame(2, compressed, { rsv1: true }), { extensions: { [PERMESSAGE_DEFLATE]: serverDeflate(100) }, maxPayload: 100 }, 1009],
  ]
  for (const [name, bytes, options, expected] of cases) {
    const err = await parseError(bytes, options)
    t.equal(wsOwnCloseCode(err), expected, `${name}: ws closes with ${expected} (${String((err as { code?: unknown }).code)})`)
    t.equal(closeCodeOf(err), expected, `${name}: closeCodeOf agrees`)
  }
  t.equal(closeCodeOf(new Error('no code')), 1002, 'an error without a code is a protocol error')
})

t.test('setMaxPayload changes the limit of a live parser and inflater', async (t) => {
  const big = clientFrame(2, Buffer.alloc(200))
  const lowered = recordingReceiver()
  setMaxPayload(lowered.receiver, null, 100)
  const tooBig = nextError(lowered.receiver)
  lowered.receiver.write(big)
  t.equal(closeCodeOf(await tooBig), 1009, 'a limit lowered after construction refuses a larger frame')

  const raised = recordingReceiver({ maxPayload: 100 })
  setMaxPayload(raised.receiver, null, 0)
  raised.receiver.write(big)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(raised.events.map((e) => e[0]), ['message'], '0 removes the limit')

  const pmd = serverDeflate()
  const inflating = recordingReceiver({ extensions: { [PERMESSAGE_DEFLATE]: pmd } })
  setMaxPayload(inflating.receiver, pmd, 100)
  const inflatedTooBig = nextError(inflating.receiver)
  inflating.receiver.write(clientFrame(2, await compress(clientDeflate(), Buffer.alloc(1000, 'a')), { rsv1: true }))
  const err = await inflatedTooBig
  t.equal((err as { code?: unknown }).code, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'the inflater measures the inflated size against the new limit')
})

t.test('dropBuffered releases what a parser that refused a message still holds of it', async (t) => {
  type Held = { _fragments: Buffer[]; _buffers: Buffer[]; _bufferedBytes: number }
  const { receiver } = recordingReceiver({ maxFragments: 2 })
  const refused = nextError(receiver)
  // Two fragments are kept, the third is refused; the bytes after it stay unparsed in the chunk buffer.
  receiver.write(Buffer.concat([clientFrame(2, 'a', { fin: false }), clientFrame(0, 'b', { fin: false }), clientFrame(0, 'c', { fin: false })]))
  t.equal(closeCodeOf(await refused), 1008)
  const held = receiver as unknown as Held
  t.ok(held._fragments.length > 0, `ws keeps the fragments of the refused message (${held._fragments.length})`)
  dropBuffered(receiver)
  t.same([held._fragments.length, held._buffers.length, held._bufferedBytes], [0, 0, 0], 'all of it is released')
})

t.test('setDeflateOptions takes effect on the next message, also once a deflate stream exists', async (t) => {
  const text = Buffer.from('compressible '.repeat(400))
  const pmd = serverDeflate()
  setDeflateOptions(pmd, { level: 1 })
  const fast = await compress(pmd, text)
  t.ok(fast.length < text.length / 4, `level 1 compresses (${fast.length} of ${text.length} bytes)`)
  setDeflateOptions(pmd, { level: 0 })
  const stored = await compress(pmd, text)
  t.ok(stored.length >= text.length, `level 0 stores (${stored.length} bytes): the old deflate stream was dropped`)
  pmd.cleanup()
})

t.test('PerMessageDeflate.accept agrees on what the handshake negotiated', async (t) => {
  const server = createPerMessageDeflate({ serverNoContextTakeover: true, clientNoContextTakeover: true, isServer: true, maxPayload: 0 })
  t.same(server.accept([{ server_max_window_bits: ['10'], client_max_window_bits: [true] }]),
    { server_max_window_bits: 10, server_no_context_takeover: true, client_no_context_takeover: true },
    'server: values normalised, both no-context-takeover added, a bare client_max_window_bits dropped')
  const agreed = server.accept([{ server_max_window_bits: ['9'] }])
  t.equal(server.params, agreed, 'params hold the agreement')
  t.throws(() => server.accept([{ server_max_window_bits: ['16'] }]), 'an invalid window size is refused')
  t.throws(() => server.accept([{ unknown: [true] }]), 'an unknown parameter is refused')
  const client = createPerMessageDeflate({ serverNoContextTakeover: true, clientNoContextTakeover: true, isServer: false, maxPayload: 0 })
  t.same(client.accept([{ server_no_context_takeover: [true], client_no_context_takeover: [true], client_max_window_bits: [12] }]),
    { server_no_context_takeover: true, client_no_context_takeover: true, client_max_window_bits: 12 }, 'client: the answer as given')
})

t.test('extension parses and formats Sec-WebSocket-Extensions', async (t) => {
  t.same(parseExtensions('permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits=10, x-foo'), {
    'permessage-deflate': [{ client_max_window_bits: [true] }, { server_max_window_bits: ['10'] }],
    'x-foo': [{}],
  })
  t.throws(() => parseExtensions('permessage-deflate;; x'), 'a syntax error throws')
  t.equal(formatExtensions({ [PERMESSAGE_DEFLATE]: [{ server_max_window_bits: 10, server_no_context_takeover: true }] }),
    'permessage-deflate; server_max_window_bits=10; server_no_context_takeover')
  t.equal(PERMESSAGE_DEFLATE, 'permessage-deflate')
})

t.test('a fragmented text message is refused at its first fragment that cannot be UTF-8, compressed or not', async (t) => {
  // Fragment 1 is valid, fragment 2 starts U+110000 (past Unicode); no final fragment follows.
  const plain = recordingReceiver()
  const refused = nextError(plain.receiver)
  plain.receiver.write(Buffer.concat([clientFrame(1, 'κόσμε', { fin: false }), clientFrame(0, Buffer.from([0xf4, 0x90]), { fin: false })]))
  const err = await refused
  t.equal((err as { code?: unknown }).code, 'WS_ERR_INVALID_UTF8', 'before the message is complete')
  t.equal(closeCodeOf(err), 1007)
  t.same(plain.events.map((e) => e[0]), ['error'], 'nothing was delivered')

  const pmd = serverDeflate()
  const inflating = recordingReceiver({ extensions: { [PERMESSAGE_DEFLATE]: pmd } })
  const inflatedRefused = nextError(inflating.receiver)
  const deflated = await compress(clientDeflate(), Buffer.concat([Buffer.from('ok '), Buffer.from([0xed, 0xa0, 0x80])]))
  inflating.receiver.write(clientFrame(1, deflated, { fin: false, rsv1: true }))
  t.equal((await inflatedRefused as { code?: unknown }).code, 'WS_ERR_INVALID_UTF8', 'an inflated fragment with a surrogate too')

  const valid = recordingReceiver()
  const euro = Buffer.from('€€')
  // The code points cut at every fragment edge, then a text message after it: the state is reset per message.
  valid.receiver.write(Buffer.concat([
    clientFrame(1, euro.subarray(0, 1), { fin: false }),
    clientFrame(0, euro.subarray(1, 4), { fin: false }),
    clientFrame(0, euro.subarray(4)),
    clientFrame(1, Buffer.from([0xe2]), { fin: false }),
    clientFrame(0, Buffer.from([0x82, 0xac])),
  ]))
  await new Promise((resolve) => setImmediate(resolve))
  t.same(valid.events.map(([name, data]) => [name, String(data)]), [['message', '€€'], ['message', '€']])
})

t.test('masked payloads come out intact, unmasked a word at a time when ws would go byte by byte', async (t) => {
  const wordWise = !wsUnmasksNatively()
  for (const length of [1, WORD_UNMASK_MIN - 1, WORD_UNMASK_MIN, 125, 126, 1000, 16384, 70000]) {
    for (const pieces of [1, 3, 17]) {
      const { receiver, events } = recordingReceiver()
      const payload = Buffer.alloc(length)
      for (let i = 0; i < length; i++) payload[i] = (i * 7 + length) & 0x7f
      const frames = Buffer.concat([clientFrame(2, payload), clientFrame(1, payload.toString('latin1'))])
      // The frames split into pieces at odd places: headers and payloads straddle socket chunks.
      const step = Math.ceil(frames.length / pieces)
      for (let at = 0; at < frames.length; at += step) receiver.write(frames.subarray(at, at + step))
      await new Promise((resolve) => setImmediate(resolve))
      const got = events.map(([name, data, binary]) => [name, (data as Buffer).equals(payload), binary])
      t.same(got, [['message', true, true], ['message', true, false]], `${length} bytes in ${pieces} piece(s)`)
      // ws leaves `_masked` set after unmasking the last frame itself; the word-wise path clears it.
      const masked = (receiver as Receiver & { _masked: boolean })._masked
      t.equal(masked, !(wordWise && length >= WORD_UNMASK_MIN), `${length} bytes: unmasked ${wordWise && length >= WORD_UNMASK_MIN ? 'here' : 'by ws'}`)
    }
  }
})

t.test('a compressed masked payload is unmasked once, then inflated', async (t) => {
  const message = Buffer.from(Array.from({ length: 20000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join(''))
  const deflated = await compress(clientDeflate(), message)
  t.ok(deflated.length >= WORD_UNMASK_MIN, `the deflated payload (${deflated.length} bytes) takes the word-wise path when ws has no native unmask`)
  const { receiver, events } = recordingReceiver({ extensions: { [PERMESSAGE_DEFLATE]: serverDeflate() } })
  const frame = clientFrame(1, deflated, { rsv1: true })
  // Inflating is asynchronous (zlib): wait for the message, or fail the wait on an error or after 2 s.
  const delivered = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), 2000)
    receiver.once('message', () => { clearTimeout(timer); resolve() })
    receiver.once('error', (err: Error) => { clearTimeout(timer); reject(err) })
  })
  receiver.write(frame.subarray(0, 7))
  receiver.write(frame.subarray(7))
  await delivered
  t.same(events.map(([name, data, binary]) => [name, (data as Buffer).equals(message), binary]), [['message', true, false]])
})
