/**
 * Message types and close codes, with gorilla/websocket's names and values (RFC 6455 sections 11.7
 * and 11.8).
 */

/** A text data message; the payload is UTF-8 (invalid UTF-8 closes the connection with 1007). */
export const TextMessage = 1
/** A binary data message. */
export const BinaryMessage = 2
/** A close control message; build its payload with `formatCloseMessage`. */
export const CloseMessage = 8
/** A ping control message. */
export const PingMessage = 9
/** A pong control message. */
export const PongMessage = 10

/** The two data message types `readMessage` can return. */
export type DataMessageType = typeof TextMessage | typeof BinaryMessage
/** Every message type a writer accepts. */
export type MessageType = DataMessageType | typeof CloseMessage | typeof PingMessage | typeof PongMessage

/** The purpose of the connection was fulfilled. */
export const CloseNormalClosure = 1000
/** An endpoint is going away: a server shutting down, a browser leaving the page. */
export const CloseGoingAway = 1001
/** The peer broke the WebSocket protocol. */
export const CloseProtocolError = 1002
/** A data type the endpoint cannot accept (text to a binary-only endpoint, say). */
export const CloseUnsupportedData = 1003
/** Reserved (RFC 6455 7.4.1): never sent on the wire. */
export const CloseReserved = 1004
/** Reported when a close frame carried no status; never sent on the wire. */
export const CloseNoStatusReceived = 1005
/** Reported when the connection dropped without a close frame; never sent on the wire. */
export const CloseAbnormalClosure = 1006
/** A message whose payload does not match its type (invalid UTF-8 in a text message). */
export const CloseInvalidFramePayloadData = 1007
/** A message that breaks the endpoint's policy (also: a message with too many fragments). */
export const ClosePolicyViolation = 1008
/** A message larger than the read limit. */
export const CloseMessageTooBig = 1009
/** Sent by a client when the server did not agree to an extension it requires. */
export const CloseMandatoryExtension = 1010
/** The server met an unexpected condition. */
export const CloseInternalServerErr = 1011
/** The server is restarting. */
export const CloseServiceRestart = 1012
/** The server is overloaded: try again later. */
export const CloseTryAgainLater = 1013
/** "Bad Gateway" in the IANA registry. */
export const CloseBadGateway = 1014
/** Reported when the TLS handshake failed; never sent on the wire. */
export const CloseTLSHandshake = 1015

/** gorilla's `writeWait`: the deadline, in ms, the default handlers give their replies. */
export const writeWait = 1000

/** Default read buffer size (gorilla's `defaultReadBufferSize`). */
export const defaultReadBufferSize = 4096
/** Default write buffer size (gorilla's `defaultWriteBufferSize`). */
export const defaultWriteBufferSize = 4096

/** Largest payload of a control frame (RFC 6455 5.5). */
export const maxControlFramePayloadSize = 125

/**
 * The read limit a connection starts with, in bytes: `ws`'s default `maxPayload` (100 MiB). gorilla starts
 * with no limit; here a frame announcing more (up to 2^63 bytes) would otherwise be buffered towards that
 * length, so it is refused at its header with close 1009. `conn.setReadLimit(0)` removes the limit.
 */
export const defaultReadLimit = 100 * 1024 * 1024

/**
 * Bytes of received, unread messages a connection keeps before it pauses the socket. One message larger
 * than this is still delivered; the bound only stops further reading until the application catches up.
 */
export const defaultMaxQueuedBytes = 1024 * 1024

/**
 * Frames one message may arrive in (`ws`'s `maxFragments` default): each costs ~115 bytes of bookkeeping
 * however small its payload, so without a bound a never-finished message of 1-byte fragments grows the heap
 * without limit while staying far below the read limit. One more closes the connection with 1008.
 */
export const defaultMaxFragments = 16 * 1024

/**
 * Socket chunks one frame may be buffered in before it is parsed (`ws`'s `maxBufferedChunks` default): a
 * large frame trickled a byte per TCP segment would otherwise cost a `Buffer` per byte. One more closes the
 * connection with 1008.
 */
export const defaultMaxBufferedChunks = 256 * 1024

/**
 * Bytes a connection's writes may hold before further writes are refused (`WS_COMPAT_ERR_WRITE_QUEUE_FULL`):
 * bytes written but not yet taken by the kernel, each pending write counted with its bookkeeping. gorilla's
 * writes block, so gorilla code never queues; here unawaited writes to a peer that does not read would
 * otherwise queue without limit. 16 times the receive queue: bursts of unawaited writes to a peer that reads
 * fit, a peer that stopped reading costs at most this (plus one larger message written to an empty queue).
 */
export const defaultMaxWriteQueueBytes = 16 * 1024 * 1024

/** gorilla's `defaultCompressionLevel`: fast compression. */
export const defaultCompressionLevel = 1
