// The `pnpm test` reporter (package.json `tap.reporter`): tap's own TAP stream, less every test file that passed.
//
// A passing run prints the totals only (`# { total: N, pass: N }`, which .ci/run adds up, and `# time=`); a failing
// file is printed whole, as raw TAP: its subtests, the failing assertion with its diagnostics (found/wanted, diff,
// stack, the child's output a test attached) and tap's own YAML for a timeout. Why not tap's `terse` or `dot`:
// when a file times out (a root-level `not ok - timeout!`) they print neither the failure nor the totals.
// `pnpm test -R tap` gives the whole stream (README, Development).
import { Transform } from 'node:stream'

/** A top-level test point: `ok 3 - path/to/file.test.ts # time=...` or `not ok ...`. */
const TOP_POINT = /^(not )?ok \d+/

export default class SummaryReporter extends Transform {
  #partial = ''
  /** Lines since the previous top-level point: the next file's TAP, until we know how it ended. */
  #pending = []
  /** Inside the YAML diagnostics of a failed top-level point: printed as they come. */
  #inDiag = false
  #passed = 0
  #failed = 0

  constructor () {
    super({ decodeStrings: false, encoding: 'utf8' })
  }

  _transform (chunk, _encoding, done) {
    const lines = (this.#partial + chunk).split('\n')
    this.#partial = lines.pop()
    for (const line of lines) this.#line(line)
    done()
  }

  _flush (done) {
    if (this.#partial !== '') this.#line(this.#partial)
    this.push(`# test files: ${this.#passed} passed, ${this.#failed} failed\n`)
    // Whatever came after the last file: tap's totals and time.
    for (const line of this.#pending) if (line.startsWith('#')) this.push(`${line}\n`)
    done()
  }

  #line (line) {
    if (this.#inDiag) {
      if (line.startsWith('  ')) {
        this.push(`${line}\n`)
        if (line === '  ...') this.#inDiag = false
        return
      }
      this.#inDiag = false
    }
    if (line.startsWith('Bail out!')) {
      this.push(`${line}\n`)
      return
    }
    const point = TOP_POINT.exec(line)
    if (point === null) {
      this.#pending.push(line)
      return
    }
    if (point[1] === undefined) {
      this.#passed++
    } else {
      this.#failed++
      this.push(`${this.#pending.filter((l) => l !== 'TAP version 14' && !/^1\.\.\d+$/.test(l)).join('\n')}\n${line}\n`)
      this.#inDiag = true
    }
    this.#pending = []
  }
}
