import { WsCompatError, WsCompatErrorCode } from '../errors.js'

function invalidJSON (message: string, cause?: unknown): WsCompatError {
  return new WsCompatError(WsCompatErrorCode.INVALID_JSON, `websocket: ${message}`, cause === undefined ? undefined : { cause })
}

/**
 * Parses a message as JSON (`readJSON`). An empty message is gorilla's "unexpected EOF".
 *
 * @param data - the message payload
 * @throws WsCompatError `WS_COMPAT_ERR_INVALID_JSON`
 */
export function decodeJSON (data: Buffer): unknown {
  const text = data.toString()
  if (text.trim() === '') throw invalidJSON('unexpected EOF')
  try {
    return JSON.parse(text)
  } catch (err) {
    throw invalidJSON((err as Error).message, err)
  }
}

/**
 * The text `writeJSON` sends: the JSON of `v` followed by a newline, as Go's `json.Encoder` writes it.
 *
 * @param v - the value
 * @throws WsCompatError `WS_COMPAT_ERR_INVALID_JSON` for cycles, BigInts, and values with no JSON form
 */
export function encodeJSON (v: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(v)
  } catch (err) {
    throw invalidJSON((err as Error).message, err)
  }
  if (json === undefined) throw invalidJSON('value has no JSON form')
  return `${json}\n`
}
