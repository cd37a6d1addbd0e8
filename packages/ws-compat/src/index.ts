export * from './constants.js'
export {
  WsCompatError,
  WsCompatErrorCode,
  ErrBadHandshake,
  ErrCloseSent,
  ErrReadLimit,
  HertzUpgraderDeprecationCode,
} from './errors.js'
export { CloseError, formatCloseMessage, isCloseError, isUnexpectedCloseError } from './close-error.js'
export { Conn, type CloseHandler, type ControlHandler } from './conn.js'
export type { Message } from './read-queue.js'
export type { Data } from './data.js'
export { MessageWriter } from './message-writer.js'
export type { BufferPool } from './buffer-pool.js'
export { PreparedMessage, newPreparedMessage } from './prepared.js'
export { TCPAddr, type AddressLike, type NetConn } from './net-conn.js'
export { newServerConn, type ServerConnOptions } from './server-conn.js'
export type { NegotiatedCompression } from './deflate.js'
export { Dialer, DefaultDialer, type BadHandshakeError, type DialerOptions, type NetDial, type RequestHeader } from './dialer.js'
export { injectWS, type InjectWSOptions, type InMemoryServer } from './inject.js'
export * from './upgrader.js'
export * from './legacy/hertz-upgrader.js'
