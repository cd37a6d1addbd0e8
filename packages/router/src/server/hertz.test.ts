import t, { type Test } from 'tap'
import { openSocket, readUntil, closed } from '@hertz-node/test-kit/raw-tcp'
import { logged, spinApp as spinKitApp, type SpinApp } from '@hertz-node/test-kit/spin'
import { openShutdownScene } from '@hertz-node/test-kit/drain'

/** The spin fixture as this file's tests expect it: a 300 ms `/slow` and an `onShutdown` hook that logs. */
function spinApp (t: Test, env: Record<string, string> = {}): Promise<SpinApp> {
  return spinKitApp(t, { SLOW_MS: '300', SHUTDOWN_HOOK: '1', ...env })
}

// Each case runs its own server process and waits on it; a case signals only once its `/slow` request is in the
// handler (`INFLIGHT`), so the cases may share the machine: four at a time.
t.jobs = 4

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  t.test(`spin: ${sig} shuts down gracefully and exits 0`, async t => {
    const app = await spinApp(t)
    const s = await openSocket(t, app.port)
    s.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
    await logged(app, /INFLIGHT/)
    app.child.kill(sig)
    const answer = await readUntil(s, x => x.endsWith('slow done'), 5000)
    t.match(answer, /^HTTP\/1\.1 200 OK/)
    t.match(answer, /Connection: close/i, 'in-flight request finished with Connection: close')
    t.equal(await app.exited, 0)
    t.match(app.out(), new RegExp(`Received signal: ${sig}`))
    t.match(app.out(), /shutdown hook ran/)
    t.match(app.out(), /Graceful shutdown finished/)
  })
}

t.test('spin: the exit wait time bounds a shutdown that cannot finish', async t => {
  const app = await spinApp(t, { EXIT_WAIT: '200', SLOW_MS: '10000' })
  const s = await openSocket(t, app.port)
  s.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await logged(app, /INFLIGHT/)
  app.child.kill('SIGTERM')
  t.equal(await app.exited, 0)
  t.match(app.out(), /timed out/)
  await new Promise<void>(resolve => { if (s.destroyed) resolve(); else s.once('close', () => { resolve() }) })
})

t.test('spin: unused and idle connections do not hold the shutdown up', async t => {
  // An exit wait time far beyond the test: finishing gracefully means nothing waited for it.
  const app = await spinApp(t, { EXIT_WAIT: '10000' })
  const scene = await openShutdownScene(t, app.port, { path: '/fast', body: 'fast' }, '/slow')
  await logged(app, /INFLIGHT/)
  app.child.kill('SIGTERM')
  const answer = await readUntil(scene.busy, x => x.endsWith('slow done'), 5000)
  t.match(answer, /\r\nConnection: close\r\n/i, 'the in-flight request finished with Connection: close')
  t.equal(await app.exited, 0)
  t.match(app.out(), /Graceful shutdown finished/)
  t.notMatch(app.out(), /timed out/)
  await Promise.all([closed(scene.fresh), closed(scene.keepAlive)])
})

for (const [first, second] of [['SIGTERM', 'SIGTERM'], ['SIGINT', 'SIGTERM']] as const) {
  t.test(`spin: a second signal (${first}, then ${second}) does not cut the graceful shutdown short`, async t => {
    const app = await spinApp(t, { EXIT_WAIT: '10000', SLOW_MS: '1500' })
    const s = await openSocket(t, app.port)
    s.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
    await logged(app, /INFLIGHT/)
    app.child.kill(first)
    await logged(app, /Begin graceful shutdown/)
    app.child.kill(second)
    await logged(app, new RegExp(`Received signal: ${second} during the graceful shutdown, ignored`))
    const answer = await readUntil(s, x => x.endsWith('slow done'), 5000)
    t.match(answer, /^HTTP\/1\.1 200 OK/)
    t.match(answer, /Connection: close/i, 'the in-flight request finished with Connection: close')
    t.equal(await app.exited, 0)
    t.match(app.out(), /shutdown hook ran/)
    t.match(app.out(), /Graceful shutdown finished/)
  })
}

t.test('spin: a third signal exits at once, with the code of that signal', async t => {
  const app = await spinApp(t, { EXIT_WAIT: '10000', SLOW_MS: '10000' })
  const s = await openSocket(t, app.port)
  s.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await logged(app, /INFLIGHT/)
  app.child.kill('SIGTERM')
  await logged(app, /Begin graceful shutdown/)
  app.child.kill('SIGTERM')
  await logged(app, /ignored \(one more exits at once\)/)
  app.child.kill('SIGINT')
  t.equal(await app.exited, 130, '128 + SIGINT')
  t.match(app.out(), /Received signal: SIGINT again, exiting at once/)
  t.notMatch(app.out(), /Graceful shutdown finished|timed out/)
  await closed(s)
})
