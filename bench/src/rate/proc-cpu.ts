/**
 * A process's CPU time as the kernel accounts it, read from outside the process: the run time of each of its
 * threads in `/proc/<pid>/task/<tid>/schedstat` (nanoseconds), or `utime + stime` of `/proc/<pid>/stat` (clock
 * ticks) where the kernel keeps no schedstat. Reading it costs the server nothing (asking a server for its own
 * `process.cpuUsage()` over IPC costs it a message), so the window can start and end at any instant.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

let ticksPerSec: number | undefined

/** `getconf CLK_TCK`, the unit of `utime`/`stime`; read once (100 on every Linux seen so far). */
export function clockTicksPerSec (): number {
  if (ticksPerSec === undefined) {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    if (!Number.isInteger(value) || value <= 0) throw new Error(`getconf CLK_TCK printed ${value}`)
    ticksPerSec = value
  }
  return ticksPerSec
}

/**
 * `utime + stime` (clock ticks) from the text of `/proc/<pid>/stat`. The second field, the command
 * name, is in parentheses and may itself hold spaces and parentheses, so the fields are counted from
 * the last `)`: after it come state (field 3), ..., utime (14) and stime (15).
 */
export function parseStatTicks (stat: string): number {
  const close = stat.lastIndexOf(')')
  if (close === -1) throw new Error('not a /proc/<pid>/stat line (no command name)')
  const fields = stat.slice(close + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error('not a /proc/<pid>/stat line (no utime/stime)')
  return utime + stime
}

/** The first field of a `schedstat` line: the time the task has run on a CPU, in nanoseconds. */
export function parseSchedstatNanos (line: string): number {
  const ns = Number(line.slice(0, line.indexOf(' ')))
  if (!Number.isSafeInteger(ns)) throw new Error('not a schedstat line')
  return ns
}

/**
 * CPU time of `pid`'s threads from schedstat, in microseconds: its main thread (JavaScript, and the GC pauses that
 * stop it) and all the others (V8's compiler and concurrent GC threads, libuv's pool); null where the kernel keeps
 * no schedstat.
 */
export function threadCpuMicros (pid: number): { main: number, others: number } | null {
  let tids: string[]
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return null
  }
  let main = 0
  let others = 0
  for (const tid of tids) {
    try {
      const us = parseSchedstatNanos(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')) / 1000
      // The main thread's id is the process id.
      if (tid === String(pid)) main = us
      else others += us
    } catch (err) {
      // A thread that ended between the listing and the read has nothing more to add.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
      return null
    }
  }
  return { main, others }
}

/**
 * CPU time (user + system, all threads, microseconds) the process `pid` has used so far. From schedstat it is
 * exact to the nanosecond; `/proc/<pid>/stat` counts whole clock ticks (10 ms at CLK_TCK 100), so where only that
 * is kept, a window's figure is exact to one tick.
 */
export function processCpuMicros (pid: number): number {
  const threads = threadCpuMicros(pid)
  return threads !== null ? threads.main + threads.others : parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * (1e6 / clockTicksPerSec())
}
