/**
 * What hertz-contrib's and gorilla's `examples/command/main.go` share, line by line: the constants, the three
 * pumps, and the body of `serveWs` after the upgrade (pipes, process, shutdown). `legacy.ts` and `adaptor.ts`
 * hold what differs: the upgrader, the handlers and `main`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { PassThrough, type Readable, type Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  CloseMessage, CloseNormalClosure, PingMessage, TextMessage, formatCloseMessage, type Conn
} from '@hertz-node/ws-compat'
import { log } from '@hertz-node/example-support/log'
import { Scanner } from './bufio.js'
import { lookPath } from './exec.js'

/** Time allowed to write a message to the peer. */
export const writeWait = 10 * 1000

/** Maximum message size allowed from peer. */
export const maxMessageSize = 8192

/** Time allowed to read the next pong message from the peer. */
export const pongWait = 60 * 1000

/** Send pings to peer with this period. Must be less than pongWait. */
export const pingPeriod = (pongWait * 9) / 10

/** Time to wait before force close on connection. */
export const closeGracePeriod = 10 * 1000

/**
 * The start of the originals' `main` after `flag.Parse()`: the path of the command named by the first of
 * `args`; without one, or when it is not found, exits as `log.Fatal` does.
 */
export function commandPath (args: readonly string[]): string {
  if (args.length < 1) {
    log.fatal('must specify at least one argument')
  }
  try {
    return lookPath(args[0] as string)
  } catch (err) {
    log.fatal(err)
  }
}

/** The page, next to `src/` as `home.html` is next to Go's `main.go`. */
export const homeFile = new URL('../home.html', import.meta.url)

async function pumpStdin (ws: Conn, w: Writable): Promise<void> {
  try {
    ws.setReadLimit(maxMessageSize)
    ws.setReadDeadline(Date.now() + pongWait)
    ws.setPongHandler(() => { ws.setReadDeadline(Date.now() + pongWait); return null })
    for (;;) {
      let message: Buffer
      try {
        [, message] = await ws.readMessage()
      } catch {
        break
      }
      message = Buffer.concat([message, Buffer.from('\n')])
      try {
        await write(w, message)
      } catch {
        break
      }
    }
  } finally {
    ws.close()
  }
}

async function pumpStdout (ws: Conn, r: Readable, done: () => void): Promise<void> {
  const s = new Scanner(r)
  while (await s.scan()) {
    ws.setWriteDeadline(Date.now() + writeWait)
    try {
      await ws.writeMessage(TextMessage, s.bytes())
    } catch {
      ws.close()
      break
    }
  }
  if (s.err() !== null) {
    log.println('scan:', s.err())
  }
  done()

  ws.setWriteDeadline(Date.now() + writeWait)
  await ws.writeMessage(CloseMessage, formatCloseMessage(CloseNormalClosure, '')).catch(() => {})
  await sleep(closeGracePeriod)
  ws.close()
}

function ping (ws: Conn, done: Promise<void>): void {
  const ticker = setInterval(() => {
    ws.writeControl(PingMessage, Buffer.alloc(0), Date.now() + writeWait).catch((err: unknown) => {
      log.println('ping:', err)
    })
  }, pingPeriod)
  void done.then(() => clearInterval(ticker))
}

function internalError (ws: Conn, msg: string, err: unknown): void {
  log.println(msg, err)
  ws.writeMessage(TextMessage, 'Internal server error.').catch(() => {})
}

/**
 * The body of the originals' `serveWs` once `ws` is open: run `cmdPath` with `args` (`args[0]` is its
 * `argv[0]`, as `os.StartProcess` takes `flag.Args()`), pump messages to its stdin and its output lines to
 * `ws`, and when the peer is gone close stdin, send SIGINT, and SIGKILL a second later if the output has not
 * ended. Closes `ws` (the originals' `defer ws.Close()`).
 */
export async function serveCommand (ws: Conn, cmdPath: string, args: readonly string[]): Promise<void> {
  try {
    let proc: ChildProcess
    try {
      // Go's os.Pipe pairs are the child's stdio pipes here, created with the process.
      proc = spawn(cmdPath, args.slice(1), { argv0: args[0], stdio: ['pipe', 'pipe', 'pipe'] })
      await once(proc, 'spawn')
    } catch (err) {
      internalError(ws, 'start:', err)
      return
    }
    running.add(proc)
    const exited = new Promise<void>((resolve) => proc.once('exit', () => { running.delete(proc); resolve() }))
    const outr = joinOutput(proc.stdout as Readable, proc.stderr as Readable)
    const inw = proc.stdin as Writable
    // EPIPE, once the command has exited, reaches pumpStdin through the write callback; an 'error' event
    // without a listener would end the whole server.
    inw.on('error', () => {})
    try {
      let closeStdoutDone!: () => void
      const stdoutDone = new Promise<void>((resolve) => { closeStdoutDone = resolve })
      void pumpStdout(ws, outr, closeStdoutDone)
      ping(ws, stdoutDone)

      await pumpStdin(ws, inw)

      // Some commands will exit when stdin is closed.
      inw.end()

      // Other commands need a bonk on the head.
      const err = signal(proc, 'SIGINT')
      if (err !== null) {
        log.println('inter:', err)
      }

      if (!await within(stdoutDone, 1000)) {
        // A bigger bonk on the head.
        const err = signal(proc, 'SIGKILL')
        if (err !== null) {
          log.println('term:', err)
        }
        await stdoutDone
      }

      await exited
    } finally {
      outr.destroy()
      inw.destroy()
    }
  } finally {
    ws.close()
  }
}

/**
 * Commands still running. Go leaves them behind when the server exits (Ctrl-C in a terminal signals them
 * too, as the whole process group); a SIGTERM from a process manager reaches the server alone, so they are
 * killed when it exits.
 */
const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const proc of running) proc.kill('SIGKILL')
})

/** Go's `proc.Signal(sig)`: an error when the process has already finished. */
function signal (proc: ChildProcess, sig: NodeJS.Signals): Error | null {
  return proc.kill(sig) ? null : new Error('os: process already finished')
}

/** Stdout and stderr as one stream, as the originals give the child one pipe for both. */
function joinOutput (stdout: Readable, stderr: Readable): PassThrough {
  const out = new PassThrough()
  let open = 2
  for (const stream of [stdout, stderr]) {
    stream.pipe(out, { end: false })
    stream.once('end', () => { if (--open === 0) out.end() })
  }
  return out
}

/** Write all of `p` (Go's `w.Write` returns once it has). */
function write (w: Writable, p: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    w.write(p, (err) => { if (err == null) resolve(); else reject(err) })
  })
}

/** `select { case <-p: true; case <-time.After(ms): false }`, the timer cleared when `p` wins. */
async function within (p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  try {
    return await Promise.race([p.then(() => true), late])
  } finally {
    clearTimeout(timer)
  }
}
