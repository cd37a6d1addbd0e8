/**
 * Refused handshakes, over raw sockets, for both upgraders (see matrix.ts for the kinds): every check's
 * status, headers, body and error, custom `error` and `checkOrigin` callbacks, and callbacks that fail.
 */
import t from 'tap'
import { createServer, type OutgoingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import WebSocket from 'ws'
import { WsCompatError } from '../errors.js'
import { Upgrader } from './upgrader.js'
import { describeMatrix, startUpgraderServer, type MatrixServer, type Tap, type UpgraderKind } from '@hertz-node/test-kit/matrix'
import { handshakeRequest } from '@hertz-node/test-kit/handshake'
import { rawResponse, type RawResponse } from '@hertz-node/test-kit/raw-http'

const NOT_WS = 'websocket: the client is not using the websocket protocol: '

/** Expected answer of one refused handshake, per upgrader. */
interface Refusal {
  status: number
  message: string
  /** Headers that must be present with these values. */
  headers?: Record<string, string>
}

interface Row {
  name: string
  request: string
  responseHeader?: OutgoingHttpHeaders
  expect: Record<'legacy' | 'upgrader', Refusal>
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 403: 'Forbidden', 405: 'Method Not Allowed', 426: 'Upgrade Required', 500: 'Internal Server Error',
}

const rows: Row[] = [
  {
    name: "Connection lacks 'upgrade'",
    request: handshakeRequest({ headers: { Connection: 'close' } }),
    expect: {
      upgrader: { status: 400, message: NOT_WS + "'upgrade' token not found in 'Connection' header" },
      legacy: { status: 400, message: NOT_WS + " 'upgrade' token not found in 'Connection' header" },
    },
  },
  {
    name: "Upgrade lacks 'websocket'",
    request: handshakeRequest({ headers: { Upgrade: 'h2c' } }),
    expect: {
      upgrader: { status: 426, message: NOT_WS + "'websocket' token not found in 'Upgrade' header", headers: { upgrade: 'websocket' } },
      legacy: { status: 400, message: NOT_WS + " 'websocket' token not found in 'Upgrade' header" },
    },
  },
  {
    name: 'method is not GET',
    request: handshakeRequest({ method: 'POST', headers: { 'Content-Length': '0' } }),
    expect: {
      upgrader: { status: 405, message: NOT_WS + 'request method is not GET' },
      legacy: { status: 405, message: NOT_WS + ' request method is not GET' },
    },
  },
  {
    name: 'version is not 13',
    request: handshakeRequest({ headers: { 'Sec-WebSocket-Version': '8' } }),
    expect: {
      upgrader: { status: 400, message: "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header" },
      legacy: { status: 400, message: "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header" },
    },
  },
  {
    name: 'the application set Sec-WebSocket-Extensions',
    request: handshakeRequest(),
    responseHeader: { 'Sec-WebSocket-Extensions': 'x-custom' },
    expect: {
      upgrader: { status: 500, message: "websocket: application specific 'Sec-WebSocket-Extensions' headers are unsupported" },
      legacy: { status: 500, message: "websocket: application specific 'Sec-WebSocket-Extensions' headers are unsupported" },
    },
  },
  {
    name: 'cross-origin request',
    request: handshakeRequest({ headers: { Origin: 'http://evil.example' } }),
    expect: {
      upgrader: { status: 403, message: 'websocket: request origin not allowed by Upgrader.CheckOrigin' },
      legacy: { status: 403, message: 'websocket: request origin not allowed by HertzUpgrader.CheckOrigin' },
    },
  },
  {
    name: 'unparsable Origin',
    request: handshakeRequest({ headers: { Origin: 'http://[::1' } }),
    expect: {
      upgrader: { status: 403, message: 'websocket: request origin not allowed by Upgrader.CheckOrigin' },
      legacy: { status: 403, message: 'websocket: request origin not allowed by HertzUpgrader.CheckOrigin' },
    },
  },
  {
    name: 'Sec-WebSocket-Key missing',
    request: handshakeRequest({ headers: { 'Sec-WebSocket-Key': null } }),
    expect: {
      upgrader: {
        status: 400,
        message: "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length",
      },
      legacy: { status: 400, message: "websocket: not a websocket handshake: `Sec-WebSocket-Key' header is missing or blank" },
    },
  },
  {
    // The order differs: gorilla looks at the headers first, hertz-contrib at the method first.
    name: 'POST without the upgrade token (check order)',
    request: handshakeRequest({ method: 'POST', headers: { Connection: 'close', 'Content-Length': '0' } }),
    expect: {
      upgrader: { status: 400, message: NOT_WS + "'upgrade' token not found in 'Connection' header" },
      legacy: { status: 405, message: NOT_WS + ' request method is not GET' },
    },
  },
]

function assertDefaultErrorResponse (t: Tap, kind: UpgraderKind, r: RawResponse, status: number): void {
  t.equal(r.status, status, 'status')
  t.equal(r.headers['content-type']?.[0], 'text/plain; charset=utf-8', 'content type')
  if (kind !== 'legacy') {
    // Go's http.Error: status text plus newline, nosniff; gorilla adds Sec-WebSocket-Version: 13.
    t.equal(r.body, `${STATUS_TEXT[status]}\n`, 'body')
    t.equal(r.headers['sec-websocket-version']?.[0], '13', 'Sec-WebSocket-Version kept')
    t.equal(r.headers['x-content-type-options']?.[0], 'nosniff')
  } else {
    // Hertz's AbortWithMsg resets the response, so the Sec-Websocket-Version set just before it is dropped.
    t.equal(r.body, STATUS_TEXT[status], 'body')
    t.notOk(r.headers['sec-websocket-version'], 'AbortWithMsg reset the response headers')
  }
}

for (const row of rows) {
  describeMatrix(`refused handshake: ${row.name}`, async (t, kind, start) => {
    const srv = await start({ responseHeader: row.responseHeader })
    const expected = row.expect[kind === 'legacy' ? 'legacy' : 'upgrader']
    const r = await rawResponse(t, srv.port, row.request)
    assertDefaultErrorResponse(t, kind, r, expected.status)
    for (const [name, value] of Object.entries(expected.headers ?? {})) t.equal(r.headers[name]?.[0], value, name)
    const err = await srv.nextRejection()
    t.ok(err instanceof WsCompatError, 'typed error')
    t.equal((err as WsCompatError).code, 'WS_COMPAT_ERR_HANDSHAKE')
    t.equal(err.message, expected.message, 'message text')
    t.equal((err as WsCompatError).status, expected.status, 'the error carries the status answered')
    await r.closed
    t.pass('the server closed the connection')
  })
}

describeMatrix('refused handshake through a custom error callback', async (t, _kind, start) => {
  const srv = await start({ customError: true })
  const r = await rawResponse(t, srv.port, handshakeRequest({ headers: { Origin: 'http://evil.example' } }))
  t.equal(r.status, 403)
  t.equal(r.headers['x-reason-status']?.[0], '403')
  t.match(r.body, /^websocket: request origin not allowed by (Hertz)?Upgrader\.CheckOrigin$/)
  await srv.nextRejection()
  await r.closed
})

describeMatrix('an error callback that writes without ending: the response is ended for it', async (t, kind, start) => {
  const srv = await start({ customError: kind === 'legacy' ? true : 'write' })
  const r = await rawResponse(t, srv.port, handshakeRequest({ headers: { Origin: 'http://evil.example' } }))
  t.equal(r.status, 403)
  t.match(r.body, /^websocket: request origin not allowed by (Hertz)?Upgrader\.CheckOrigin$/, 'the body is complete')
  await srv.nextRejection()
  await r.closed
})

describeMatrix('a custom checkOrigin decides', async (t, _kind, start) => {
  const seen: (string | undefined)[] = []
  const srv = await start({ checkOrigin: (origin) => { seen.push(origin); return origin === 'https://trusted.example' } })
  const ok = new WebSocket(srv.url(), { origin: 'https://trusted.example' })
  t.teardown(() => ok.terminate())
  await once(ok, 'open')
  const refused = await rawResponse(t, srv.port, handshakeRequest({ headers: { Origin: 'http://localhost' } }))
  t.equal(refused.status, 403, 'same-origin is not enough when a custom policy says no')
  t.same(seen, ['https://trusted.example', 'http://localhost'])
})

describeMatrix('same-origin default: Origin host equal to Host (case-insensitive) is allowed', async (t, _kind, start) => {
  const srv = await start()
  const r = await rawResponse(t, srv.port, handshakeRequest({ host: 'LocalHost:1234', headers: { Origin: 'http://localhost:1234' } }))
  t.equal(r.status, 101)
})

t.test('Upgrader: CR/LF in a responseHeader value fails with a typed error and a 500', async (t) => {
  const srv = await startUpgraderServer(t, 'upgrader-on-node-http', { responseHeader: { 'X-Bad': 'a\r\nInjected: 1' } })
  const r = await rawResponse(t, srv.port, handshakeRequest())
  t.equal(r.status, 500)
  t.notOk(r.headers['injected'], 'nothing injected')
  const err = await srv.nextRejection()
  t.equal((err as WsCompatError).code, 'WS_COMPAT_ERR_INVALID_ARGUMENT')
  t.match(err.message, /^websocket: invalid response header: /)
  await r.closed
})

t.test('Upgrader: a key that is not base64 of 16 bytes is refused (HertzUpgrader only checks presence)', async (t) => {
  const onNodeHttp = await startUpgraderServer(t, 'upgrader-on-node-http')
  const legacy = await startUpgraderServer(t, 'legacy')
  const request = handshakeRequest({ headers: { 'Sec-WebSocket-Key': 'abc' } })
  const refused = await rawResponse(t, onNodeHttp.port, request)
  t.equal(refused.status, 400)
  t.equal((await onNodeHttp.nextRejection()).message,
    "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length")
  const accepted = await rawResponse(t, legacy.port, request)
  t.equal(accepted.status, 101, 'hertz-contrib accepts any non-empty key')
})

t.test('Upgrader: a response that cannot be hijacked is answered 500 "websocket: hijack: ..."', async (t) => {
  // No 'upgrade' listener: Node delivers the handshake as a plain request whose socket the parser keeps.
  const upgrader = new Upgrader()
  const rejected: Error[] = []
  const srv = createServer((req, res) => { upgrader.upgrade(req, res).catch((err: Error) => rejected.push(err)) })
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  t.teardown(() => { srv.closeAllConnections(); srv.close() })
  const r = await rawResponse(t, (srv.address() as AddressInfo).port, handshakeRequest())
  t.equal(r.status, 500)
  t.equal(r.body, 'Internal Server Error\n')
  t.equal(rejected.length, 1)
  t.match(rejected[0]!.message, /^websocket: hijack: /)
  t.equal(((rejected[0] as WsCompatError).cause as { code: string }).code, 'ADAPTOR_ERR_NOT_HIJACKABLE')
})

/** The server still upgrades and echoes after a refusal. */
async function assertStillServing (t: Tap, srv: MatrixServer): Promise<void> {
  const ws = new WebSocket(srv.url())
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  ws.send('still here')
  const [data] = await once(ws, 'message')
  t.equal(String(data), 'still here', 'the server still serves')
}

const originRefused = (kind: UpgraderKind): string =>
  `websocket: request origin not allowed by ${kind === 'legacy' ? 'HertzUpgrader' : 'Upgrader'}.CheckOrigin`

/** A policy that fails for one origin and allows every other, the way `mode` says. */
function failingPolicy (mode: 'throw' | 'reject', error: Error): (origin: string | undefined) => boolean | Promise<boolean> {
  return (origin) => {
    if (origin !== 'http://boom.example') return true
    if (mode === 'throw') throw error
    return Promise.reject(error)
  }
}

for (const mode of ['throw', 'reject'] as const) {
  describeMatrix(`a checkOrigin that ${mode}s refuses with 403, the error as cause`, async (t, kind, start) => {
    const policyError = new Error('origin store unavailable')
    const srv = await start({ checkOrigin: failingPolicy(mode, policyError) })
    const r = await rawResponse(t, srv.port, handshakeRequest({ headers: { Origin: 'http://boom.example' } }))
    assertDefaultErrorResponse(t, kind, r, 403)
    const err = await srv.nextRejection() as WsCompatError
    t.ok(err instanceof WsCompatError, 'typed error')
    t.equal(err.code, 'WS_COMPAT_ERR_HANDSHAKE')
    t.equal(err.status, 403)
    t.equal(err.message, originRefused(kind), "gorilla's message")
    t.equal(err.cause, policyError, 'the policy error is the cause')
    await r.closed
    t.pass('the server closed the connection')
    await assertStillServing(t, srv)
  })

  describeMatrix(`an error callback that ${mode}s falls back to the default refusal`, async (t, kind, start) => {
    const callbackError = new Error('error writer broke')
    const srv = await start({ failingError: { mode, error: callbackError } })
    const r = await rawResponse(t, srv.port, handshakeRequest({ headers: { Origin: 'http://evil.example' } }))
    assertDefaultErrorResponse(t, kind, r, 403)
    const err = await srv.nextRejection() as WsCompatError
    t.equal(err.code, 'WS_COMPAT_ERR_HANDSHAKE')
    t.equal(err.status, 403)
    t.equal(err.message, originRefused(kind))
    t.equal(err.cause, callbackError, 'the callback error is the cause')
    await r.closed
    t.pass('the server closed the connection')
    await assertStillServing(t, srv)
  })
}

describeMatrix('a failing checkOrigin and a failing error callback: both errors are kept', async (t, kind, start) => {
  const policyError = new Error('policy')
  const callbackError = new Error('callback')
  const srv = await start({ checkOrigin: failingPolicy('throw', policyError), failingError: { mode: 'throw', error: callbackError } })
  const r = await rawResponse(t, srv.port, handshakeRequest({ headers: { Origin: 'http://boom.example' } }))
  assertDefaultErrorResponse(t, kind, r, 403)
  const err = await srv.nextRejection() as WsCompatError
  t.equal(err.code, 'WS_COMPAT_ERR_HANDSHAKE')
  t.ok(err.cause instanceof AggregateError)
  t.same((err.cause as AggregateError).errors, [policyError, callbackError])
  await r.closed
  await assertStillServing(t, srv)
})

describeMatrix('a checkOrigin Promise is awaited: resolving false refuses', async (t, _kind, start) => {
  const srv = await start({ checkOrigin: async (origin) => origin === 'https://trusted.example' })
  const refused = await rawResponse(t, srv.port, handshakeRequest({ headers: { Origin: 'https://other.example' } }))
  t.equal(refused.status, 403, 'a pending Promise is not taken as a truthy answer')
  t.equal((await srv.nextRejection() as WsCompatError).cause, undefined, 'a plain refusal has no cause')
  const ok = await rawResponse(t, srv.port, handshakeRequest({ headers: { Origin: 'https://trusted.example' } }))
  t.equal(ok.status, 101)
})
