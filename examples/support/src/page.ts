/** Test support: GET a page with an explicit `Host` header, which `fetch` cannot set. */
import { request } from 'node:http'

/** What came back. */
export interface Page {
  status: number
  contentType: string | undefined
  body: string
}

/** GET `path` (default `/`) from the server at `server.host`:`server.port`, sending `Host: host`. */
export function getPage (server: { host: string, port: number }, host: string, path = '/'): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = request({ host: server.host, port: server.port, path, headers: { host } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
