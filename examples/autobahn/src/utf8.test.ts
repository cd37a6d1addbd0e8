import t from 'tap'
import { isUtf8 } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { UTF8State } from './utf8.js'
import { errInvalidUTF8, validator } from './autobahn.js'

function valid (bytes: number[], cut = -1): boolean {
  const s = new UTF8State()
  const p = Buffer.from(bytes)
  const ok = cut < 0 ? s.write(p) : s.write(p.subarray(0, cut)) && s.write(p.subarray(cut))
  return ok && s.complete()
}

t.test('RFC 3629 ranges, whole or cut anywhere', async (t) => {
  const cases: Array<[number[], boolean, string]> = [
    [[0x41, 0x7f], true, 'ASCII'],
    [[0xc2, 0x80], true, 'U+0080'],
    [[0xc0, 0xaf], false, 'overlong 2-byte'],
    [[0xe0, 0x9f, 0xbf], false, 'overlong 3-byte'],
    [[0xe0, 0xa0, 0x80], true, 'U+0800'],
    [[0xed, 0x9f, 0xbf], true, 'U+D7FF'],
    [[0xed, 0xa0, 0x80], false, 'a surrogate'],
    [[0xef, 0xbf, 0xbf], true, 'U+FFFF'],
    [[0xf0, 0x8f, 0xbf, 0xbf], false, 'overlong 4-byte'],
    [[0xf0, 0x90, 0x80, 0x80], true, 'U+10000'],
    [[0xf4, 0x8f, 0xbf, 0xbf], true, 'U+10FFFF'],
    [[0xf4, 0x90, 0x80, 0x80], false, 'past U+10FFFF'],
    [[0xf5, 0x80, 0x80, 0x80], false, 'F5'],
    [[0x80], false, 'a lone continuation byte'],
    [[0xe4, 0xb8], false, 'unfinished at the end']
  ]
  for (const [bytes, want, name] of cases) {
    for (let cut = -1; cut <= bytes.length; cut++) t.equal(valid(bytes, cut), want, `${name}, cut at ${cut}`)
  }
})

t.test('agrees with buffer.isUtf8 on random input', async (t) => {
  let disagreements = 0
  for (let i = 0; i < 2000; i++) {
    const p = randomBytes(1 + (i % 12)).map((b) => (i % 3 === 0 ? b | 0x80 : b))
    if (valid([...p]) !== isUtf8(p)) disagreements++
  }
  t.equal(disagreements, 0)
})

t.test('validator passes the bytes on and fails after the piece where they stop being UTF-8', async (t) => {
  const seen: Buffer[] = []
  const pieces = [Buffer.from('ok '), Buffer.from([0xe4, 0xb8]), Buffer.from([0x96, 0xff]), Buffer.from('never')]
  await t.rejects(async () => {
    for await (const p of validator(Readable.from(pieces))) seen.push(p)
  }, errInvalidUTF8)
  t.same(seen, pieces.slice(0, 3))

  const unfinished: Buffer[] = []
  await t.rejects(async () => {
    for await (const p of validator(Readable.from([Buffer.from([0xe4, 0xb8])]))) unfinished.push(p)
  }, errInvalidUTF8)
  t.equal(unfinished.length, 1)
})
