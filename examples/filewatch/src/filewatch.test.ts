import t from 'tap'
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getPage as getHome } from '@hertz-node/example-support/page'
import { PATHS, startServer } from '@hertz-node/example-support/spawn-app'
import { Client } from '@hertz-node/example-support/ws-client'

// Real processes on a machine that may be busy.
t.setTimeout(180_000)
// The servers started below inherit this: they poll the file every 200 ms instead of Go's 10 s (filePeriod).
process.env.FILEWATCH_FILE_PERIOD_MS = '200'
// The two paths wait for their polls at the same time.
t.jobs = 2

for (const path of PATHS) {
  t.test(path, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), `filewatch-${path}-`))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'watched.txt')
    await writeFile(file, 'first <b>&</b>\n')
    const missing = join(dir, 'missing.txt')

    const [server, serverOfMissing] = await Promise.all([
      startServer('filewatch', path, [file]),
      startServer('filewatch', path, [missing])
    ])
    t.teardown(() => server.app.kill())
    t.teardown(() => serverOfMissing.app.kill())

    const page = await getHome(server, server.addr)
    t.equal(page.status, 200)
    t.equal(page.contentType, 'text/html; charset=utf-8')
    t.match(page.body, '<pre id="fileData">first &lt;b&gt;&amp;&lt;/b&gt;\n</pre>', 'the content, HTML-escaped')
    const mtime = (await stat(file, { bigint: true })).mtimeNs
    const url = `ws://${server.addr}/ws?lastMod=${mtime.toString(16)}`
    t.match(page.body, `new WebSocket('${url}')`, 'the URL carries the file time in hex nanoseconds')

    const hostile = await getHome(server, "h'</script><b>")
    t.match(hostile.body, "new WebSocket('ws://h\\u0027\\u003c\\u002fscript\\u003e\\u003cb\\u003e/ws?lastMod=")
    t.notMatch(hostile.body, "h'</script>")

    const missingPage = await getHome(serverOfMissing, serverOfMissing.addr)
    t.match(missingPage.body, /<pre id="fileData">ENOENT: no such file or directory/)
    t.match(missingPage.body, "/ws?lastMod=0')", 'time 0 after an error')

    // `ahead` asks for changes after a time the file does not have yet; it connects first, so its first poll
    // comes before `fresh`'s (timers of one period fire in the order they were set).
    const future = mtime + 3_600_000_000_000n
    const ahead = await Client.open(`ws://${server.addr}/ws?lastMod=${future.toString(16)}`)
    const [fresh, clientOfMissing] = await Promise.all([
      Client.open(`ws://${server.addr}/ws`), Client.open(`ws://${serverOfMissing.addr}/ws?lastMod=0`)
    ])
    t.teardown(() => { ahead.terminate(); fresh.terminate(); clientOfMissing.terminate() })

    const [first, error] = await Promise.all([fresh.text(), clientOfMissing.text()])
    t.equal(first, 'first <b>&</b>\n', 'without lastMod: the content at the first poll')
    t.match(error, /^ENOENT: no such file or directory/, 'a missing file: the error')

    await writeFile(file, 'second\n')
    // Past `future`, whatever the file system's time resolution.
    const later = new Date(Number(future / 1_000_000n) + 1000)
    await utimes(file, later, later)
    t.equal(await fresh.text(), 'second\n', 'the changed content is pushed')
    t.equal(await ahead.text(), 'second\n', 'lastMod in the future: nothing until the file is newer')

    const client = fresh
    const [exit, closed] = await Promise.all([server.app.stop('SIGTERM'), client.closed])
    t.same(exit, { code: 0, signal: null }, server.app.output())
    t.equal(closed[0], 1001)
    t.same(await serverOfMissing.app.stop('SIGINT'), { code: 0, signal: null }, serverOfMissing.app.output())
  })
}
