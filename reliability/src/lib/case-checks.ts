/**
 * The checks that end every raw-connection case: the close handshake after a 101, and that the server came
 * through the case whole (still serving, nothing thrown at the process, handles back to their baseline).
 */
import type { Test } from 'tap'
import type { ServerUnderTest } from './app-types.js'
import { clientClose } from './frames.js'
import type { RawConn, RawPool } from './raw-client.js'
import { settleToBaseline, type CrashWatch, type ResourceSnapshot } from './resources.js'

/** Closes an upgraded connection from the client side (1000) and checks the server completes the handshake. */
export async function closeHandshake (t: Test, conn: RawConn): Promise<boolean> {
  conn.write(clientClose(1000))
  const closing = await conn.readUntilClose(3000, false)
  return t.equal(closing.closeCode, 1000, 'close handshake completes')
}

/**
 * After a case: a fresh request is still answered, no uncaught error or unhandled rejection was seen since `watch`
 * started (it is stopped here), and the server's handles are back to `base`.
 */
export async function serverCameThrough (t: Test, pool: RawPool, app: ServerUnderTest, watch: CrashWatch, base: ResourceSnapshot): Promise<boolean> {
  const probe = await pool.connect(app.port)
  probe.write('GET /http HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const after = await probe.response(3000)
  let ok = t.same([after.status, after.body.toString()], [200, 'ok'], 'server still serving')
  await probe.waitClosed(3000)
  ok = t.same(watch.stop(), [], 'no uncaught error') && ok
  ok = t.same(await settleToBaseline(base, app.emitters, 3000), [], 'server-side sockets closed too (handles back to baseline)') && ok
  return ok
}
