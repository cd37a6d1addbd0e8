// Usage: node echo-check.mjs <node args...>: starts that server on a free loopback port (as --addr and ADDR),
// echoes a text and a binary message through /echo with `ws`, then stops it with SIGINT and wants exit 0.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import WebSocket from 'ws'

const srv = net.createServer().listen(0, '127.0.0.1')
await once(srv, 'listening')
const addr = `127.0.0.1:${srv.address().port}`
srv.close()

const child = spawn(process.execPath, [...process.argv.slice(2), '--addr', addr], {
  env: { ...process.env, ADDR: addr },
  stdio: ['ignore', 'pipe', 'pipe']
})
const failed = (why) => { console.error(`echo-check: ${why}\n--- server output ---\n${out}`); child.kill('SIGKILL'); process.exit(1) }
const timer = setTimeout(() => failed('no echo within 30 s'), 30_000)
let out = ''
for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (s) => { out += s })
child.on('exit', (code, sig) => { if (!stopping) failed(`server exited early (${code ?? sig})`) })
let stopping = false

let ws
for (let i = 0; ; i++) {
  try {
    ws = new WebSocket(`ws://${addr}/echo`)
    await once(ws, 'open')
    break
  } catch (err) {
    if (i === 100) failed(`cannot connect: ${err.message}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
for (const [data, binary] of [['hello', false], [Buffer.from([1, 2, 3]), true]]) {
  ws.send(data, { binary })
  const [got, isBinary] = await once(ws, 'message')
  if (isBinary !== binary || !Buffer.from(got).equals(Buffer.from(data))) failed(`echoed ${got} for ${data}`)
}
ws.close(1000)
await once(ws, 'close')
stopping = true
const exited = once(child, 'exit')
child.kill('SIGINT')
const [code] = await exited
clearTimeout(timer)
if (code !== 0) failed(`exit ${code} on SIGINT`)
console.log(`echo-check: ${process.argv.slice(2).join(' ')} echoed text and binary, exit 0 on SIGINT`)
