import t from 'tap'
import { WriteCompletions, type CompletionOwner } from './write-completions.js'

function owner (): CompletionOwner & { failures: Error[], closes: number, timeouts: number } {
  const o = {
    failures: [] as Error[],
    closes: 0,
    timeouts: 0,
    frameFailed (err: Error): Error { o.failures.push(err); return new Error(`sticky: ${err.message}`) },
    timedOut (): Error { o.timeouts++; return new Error('write timeout') },
    closeFrameWritten (): void { o.closes++ }
  }
  return o
}

t.test('waits settle in frame order as the socket reports frames done, with one shared callback', async (t) => {
  const o = owner()
  const c = new WriteCompletions(o)
  const cb = c.callback()
  t.equal(c.callback(), cb, 'the same callback for every frame')
  const first = c.issue(false)
  const second = c.issue(false)
  const settled: string[] = []
  const p2 = c.wait(second, 0).then(() => settled.push('second'))
  const p1 = c.wait(first, 0).then(() => settled.push('first'))
  cb(null)
  await Promise.resolve()
  await Promise.resolve()
  t.same(settled, ['first'], 'frame 1 done: only its write settles')
  cb(undefined)
  await Promise.all([p1, p2])
  t.same(settled, ['first', 'second'])
  t.equal(o.failures.length, 0)
})

t.test('the close frame is reported once it is on the socket', async (t) => {
  const o = owner()
  const c = new WriteCompletions(o)
  c.issue(false)
  const close = c.issue(true)
  const done = c.wait(close, 0)
  c.callback()(null)
  t.equal(o.closes, 0, 'not for the data frame before it')
  c.callback()(null)
  t.equal(o.closes, 1)
  await done
})

t.test('a failed frame rejects every waiting write with the sticky error', async (t) => {
  const o = owner()
  const c = new WriteCompletions(o)
  const a = c.wait(c.issue(false), 0)
  const b = c.wait(c.issue(false), 0)
  c.callback()(new Error('EPIPE'))
  await t.rejects(a, { message: 'sticky: EPIPE' })
  await t.rejects(b, { message: 'sticky: EPIPE' })
  t.equal(o.failures.length, 1, 'the failure is reported once')
})

t.test('a deadline rejects a write that is still waiting, and only that one', async (t) => {
  const o = owner()
  const c = new WriteCompletions(o)
  const late = c.wait(c.issue(false), Date.now() + 20)
  const later = c.wait(c.issue(false), 0)
  await t.rejects(late, { message: 'write timeout' })
  t.equal(o.timeouts, 1)
  c.callback()(null)
  c.callback()(null)
  await later
  t.pass('the write without a deadline settles when its frame is done')
})

t.test('a write that settles before its deadline leaves no timer behind', async (t) => {
  const o = owner()
  const c = new WriteCompletions(o)
  const p = c.wait(c.issue(false), Date.now() + 60_000)
  c.callback()(null)
  await p
  // A timer left armed would keep this test process alive for a minute; tap's timeout would report it.
  t.equal(o.timeouts, 0)
})

t.test('waiting for a frame that is already done resolves at once', async (t) => {
  const c = new WriteCompletions(owner())
  const seq = c.issue(false)
  c.callback()(null)
  await c.wait(seq, 0)
  await c.allDone()
  t.pass('nothing left to wait for')
})
