/**
 * The fixed-rate HTTP workload: `GET /hello` on node:http's own client with a keep-alive agent of
 * `connections` sockets, no pipelining (a browser or a service client at normal load), every status
 * and body checked. autocannon's `overallRate` was not used: it meters each connection per second,
 * which releases the requests in bursts rather than evenly.
 */
import { Agent, get } from 'node:http'
import { runPaced, type PacedLoad, type PacedResult } from '../rate/pacing.js'

/** One request; resolves when the answer came back as expected. */
function request (url: string, agent: Agent, expectBody: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode ?? '?'}`))
        else if (body !== expectBody) reject(new Error(`body ${JSON.stringify(body.slice(0, 80))} is not ${expectBody}`))
        else resolve()
      })
      res.on('error', reject)
    }).on('error', reject)
  })
}

/** A paced `GET` run against `url`. */
export async function runRateHttp (url: string, connections: number, expectBody: string, load: PacedLoad, cpuMicros: () => number): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  try {
    return await runPaced(load, () => request(url, agent, expectBody), cpuMicros)
  } finally {
    agent.destroy()
  }
}
