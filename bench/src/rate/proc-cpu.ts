/**
 * A process's CPU time as the kernel accounts it, read from outside the process: `utime + stime` of
 * `/proc/<pid>/stat`. Reading it costs the server nothing (asking a server for its own
 * `process.cpuUsage()` over IPC costs it a message), so the window can start and end at any instant.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

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

/**
 * CPU time (user + system, all threads, microseconds) the process `pid` has used so far. The kernel
 * reports it in whole clock ticks (10 ms at CLK_TCK 100), so a window's figure is exact to one tick.
 */
export function processCpuMicros (pid: number): number {
  return parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * (1e6 / clockTicksPerSec())
}
