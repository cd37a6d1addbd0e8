import t from 'tap'
import { Readable } from 'node:stream'
import { ErrTooLong, MaxScanTokenSize, Scanner } from './bufio.js'

async function lines (chunks: Array<string | Buffer>): Promise<[string[], Error | null]> {
  const s = new Scanner(Readable.from(chunks.map((c) => Buffer.from(c))))
  const out: string[] = []
  while (await s.scan()) out.push(s.bytes().toString())
  return [out, s.err()]
}

t.test('ScanLines: lines split across chunks, CR before LF dropped, a last line without newline kept', async (t) => {
  t.same(await lines(['one\ntw', 'o\r\n', '\nthr', 'ee']), [['one', 'two', '', 'three'], null])
  t.same(await lines([]), [[], null])
  t.same(await lines(['\r']), [[''], null])
})

t.test('a line longer than MaxScanTokenSize stops the scan with ErrTooLong', async (t) => {
  const [out, err] = await lines(['ok\n', 'x'.repeat(MaxScanTokenSize + 1), '\nafter\n'])
  t.same(out, ['ok'])
  t.equal(err, ErrTooLong)
})
