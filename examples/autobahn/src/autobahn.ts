/**
 * What hertz-contrib's and gorilla's `examples/autobahn/server.go` share, line by line: the echo loops behind
 * the `/c`, `/f`, `/r`, `/m` and `/p` routes, once a connection is open, and the UTF-8 `validator`.
 * `legacy.ts` and `adaptor.ts` hold the upgrader, the handlers and `main`.
 */
import { isUtf8 } from 'node:buffer'
import {
  CloseInvalidFramePayloadData, CloseMessage, TextMessage, formatCloseMessage, newPreparedMessage,
  type Conn, type MessageWriter, type PreparedMessage
} from '@hertz-node/ws-compat'
import { log } from '@hertz-node/example-support/log'
import { UTF8State } from './utf8.js'

/** The page on `/`. */
export const homeHTML = '<html><body>Echo Server</body></html>'

/** Go's `io.Writer` as the copy loop sees it. */
interface Writer {
  write (p: Buffer): Promise<unknown>
}

/** Go's `errInvalidUTF8`, the validator's error. */
export const errInvalidUTF8 = new Error('invalid utf8')

/**
 * Go's `validator` reader: passes the bytes of `r` on and fails with `errInvalidUTF8` after the piece in which
 * they stop being UTF-8, or at the end when a character is left unfinished.
 */
export async function * validator (r: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const state = new UTF8State()
  for await (const p of r) {
    const ok = state.write(p)
    // Go's Read returns the bytes with the error, and io.Copy writes them before it stops.
    yield p
    if (!ok) throw errInvalidUTF8
  }
  if (!state.complete()) throw errInvalidUTF8
}

/**
 * Go's `io.Copy(w, r)`. Go's copy uses `w.ReadFrom` when the writer has one; a `MessageWriter` has only
 * `write`, so the originals' `struct{ io.Writer }{w}` (which hides `ReadFrom`) copies the same way here.
 */
async function ioCopy (w: Writer, r: AsyncIterable<Buffer>): Promise<void> {
  for await (const p of r) await w.write(p)
}

function writeInvalidUTF8Close (conn: Conn): void {
  conn.writeControl(CloseMessage, formatCloseMessage(CloseInvalidFramePayloadData, ''), null).catch(() => {})
}

/** `echoCopy` after the upgrade: each message streamed from `nextReader` into `nextWriter`. Closes `conn`. */
export async function echoCopy (conn: Conn, writerOnly: boolean): Promise<void> {
  try {
    for (;;) {
      let mt: number, r: AsyncIterable<Buffer>
      try {
        [mt, r] = await conn.nextReader()
      } catch (err) {
        log.println('NextReader:', err)
        return
      }
      if (mt === TextMessage) {
        r = validator(r)
      }
      let w: MessageWriter
      try {
        w = await conn.nextWriter(mt)
      } catch (err) {
        log.println('NextWriter:', err)
        return
      }
      if (mt === TextMessage) {
        r = validator(r)
      }
      try {
        if (writerOnly) {
          await ioCopy({ write: (p) => w.write(p) }, r)
        } else {
          await ioCopy(w, r)
        }
      } catch (err) {
        if (err === errInvalidUTF8) {
          writeInvalidUTF8Close(conn)
        }
        log.println('Copy:', err)
        return
      }
      try {
        await w.close()
      } catch (err) {
        log.println('Close:', err)
        return
      }
    }
  } finally {
    conn.close()
  }
}

/**
 * `echoReadAll` after the upgrade: each message read whole, then written back with `writeMessage`, a prepared
 * message, or one `nextWriter` write. Closes `conn`.
 */
export async function echoReadAll (conn: Conn, writeMessage: boolean, writePrepared: boolean): Promise<void> {
  try {
    for (;;) {
      let mt: number, b: Buffer
      try {
        [mt, b] = await conn.readMessage()
      } catch (err) {
        log.println('NextReader:', err)
        return
      }
      if (mt === TextMessage) {
        if (!isUtf8(b)) {
          writeInvalidUTF8Close(conn)
          log.println('ReadAll: invalid utf8')
        }
      }
      if (writeMessage) {
        if (!writePrepared) {
          try {
            await conn.writeMessage(mt, b)
          } catch (err) {
            log.println('WriteMessage:', err)
          }
        } else {
          let pm: PreparedMessage
          try {
            pm = newPreparedMessage(mt, b)
          } catch (err) {
            log.println('NewPreparedMessage:', err)
            return
          }
          try {
            await conn.writePreparedMessage(pm)
          } catch (err) {
            log.println('WritePreparedMessage:', err)
          }
        }
      } else {
        let w: MessageWriter
        try {
          w = await conn.nextWriter(mt)
        } catch (err) {
          log.println('NextWriter:', err)
          return
        }
        try {
          await w.write(b)
        } catch (err) {
          log.println('Writer:', err)
          return
        }
        try {
          await w.close()
        } catch (err) {
          log.println('Close:', err)
          return
        }
      }
    }
  } finally {
    conn.close()
  }
}
