export * from './constants.js'
export {
  WsCompatError,
  WsCompatErrorCode,
  ErrBadHandshake,
  ErrCloseSent,
  ErrReadLimit,
  HertzUpgraderDeprecationCode,
} from './errors.js'
export { CloseError, formatCloseMessage, isCloseError, isUnexpectedCloseError } from './conn/close-error.js'
export { Conn, type CloseHandler, type ControlHandler } from './conn/conn.js'
export type { Message } from './conn/read-queue.js'
export type { Data } from './conn/data.js'
export { MessageWriter } from './conn/message-writer.js'
export type { BufferPool } from './conn/buffer-pool.js'
export { PreparedMessage, newPreparedMessage } from './conn/prepared.js'
export { TCPAddr, type AddressLike, type NetConn } from './conn/net-conn.js'
export { newServerConn, type ServerConnOptions } from './handshake/server-conn.js'
export type { NegotiatedCompression } from './conn/compression.js'
export { Dialer, DefaultDialer, type BadHandshakeError, type DialerOptions, type NetDial, type RequestHeader } from './handshake/dialer.js'
export { injectWS, type InjectWSOptions, type InMemoryServer } from './handshake/inject.js'
export * from './handshake/upgrader.js'
export * from './legacy/hertz-upgrader.js'
