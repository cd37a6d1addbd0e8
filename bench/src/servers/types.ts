import type { AddressInfo } from 'node:net'

/** A server under test, listening and ready for load. */
export interface RunningServer {
  /** Where it listens (the real port when 0 was asked for). */
  address: AddressInfo
  /** Stops listening and drops every connection, idle WebSockets included. */
  close(): Promise<void>
}

/** Starts one variant on `host:port` (port 0 picks a free one). */
export type StartServer = (host: string, port: number) => Promise<RunningServer>
