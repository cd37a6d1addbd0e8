import { startBare } from './src/lib/bare-server.ts'
import { RawConn, rawRequest, handshakeHeaders } from './src/lib/raw-client.ts'
import { buildFrame, Op } from './src/lib/frames.ts'
const app = await startBare({ readLimit: 131072 })
const c = await RawConn.connect(app.port)
c.write(rawRequest(`GET /ws HTTP/1.1`, handshakeHeaders(app.host)))
console.log((await c.response()).status)
c.write(buildFrame({ opcode: Op.Binary, fin: false, payload: Buffer.alloc(0) }))
const empty = buildFrame({ opcode: Op.Continuation, fin: false, payload: Buffer.alloc(0) })
const batch = Buffer.concat(Array(10000).fill(empty))
global.gc?.()
const before = process.memoryUsage()
for (let i = 0; i < 300; i++) { if (!c.socket.write(batch)) await new Promise(r => c.socket.once('drain', r)) }
await new Promise(r => setTimeout(r, 500))
global.gc?.()
const after = process.memoryUsage()
console.log('sent frames', 300 * 10000, 'bytes', 300 * batch.length, 'heap growth MB', ((after.heapUsed - before.heapUsed) / 1e6).toFixed(1), 'rss', ((after.rss - before.rss)/1e6).toFixed(1))
c.destroy(); await app.close()
