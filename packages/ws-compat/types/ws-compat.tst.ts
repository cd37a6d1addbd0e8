import { describe, expect, test } from 'tstyche'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { RequestContext } from '@hertz-node/router'
import {
  Conn, DefaultDialer, Dialer, HertzUpgrader, MessageWriter, Upgrader, WsCompatError, WsCompatErrorCode, CloseError,
  TextMessage, type Message, type UpgraderOptions, type DialerOptions, type HertzUpgraderOptions
} from '@hertz-node/ws-compat'

describe('Conn', () => {
  const c = {} as Conn
  test('reads', () => {
    expect(c.readMessage()).type.toBe<Promise<Message>>()
    expect<Message>().type.toBe<[messageType: number, data: Buffer]>()
    expect(c.nextReader()).type.toBe<Promise<[messageType: number, reader: Readable]>>()
    expect(c.readJSON<{ a: number }>()).type.toBe<Promise<{ a: number }>>()
    expect(c[Symbol.asyncIterator]()).type.toBeAssignableTo<AsyncIterator<Message>>()
  })
  test('writes', () => {
    expect(c.writeMessage(TextMessage, 'hi')).type.toBe<Promise<void>>()
    expect(c.writeMessage(TextMessage, Buffer.from('hi'))).type.toBe<Promise<void>>()
    expect(c.writeControl(9, '', Date.now() + 1000)).type.toBe<Promise<void>>()
    expect(c.writeJSON({ a: 1 })).type.toBe<Promise<void>>()
    expect(c.nextWriter(TextMessage)).type.toBe<Promise<MessageWriter>>()
    expect(c.close()).type.toBe<void>()
    expect(c.subprotocol()).type.toBe<string>()
  })
})

describe('Upgrader', () => {
  test('upgrade(req, res) gives a Conn', () => {
    expect(new Upgrader().upgrade({} as IncomingMessage, {} as ServerResponse)).type.toBe<Promise<Conn>>()
  })
  test('options', () => {
    expect(Upgrader).type.toBeConstructableWith({ handshakeTimeout: 1000, enableCompression: true })
    expect(Upgrader).type.toBeConstructableWith()
    expect(Upgrader).type.not.toBeConstructableWith({ handshakeTimeout: '1s' })
    expect<{ subprotocols: string[] }>().type.toBeAssignableTo<UpgraderOptions>()
    expect<{ checkOrigin: (r: IncomingMessage) => boolean }>().type.toBeAssignableTo<UpgraderOptions>()
  })
})

describe('HertzUpgrader (deprecated)', () => {
  test('upgrade(c, handler) on a RequestContext', () => {
    const u = new HertzUpgrader()
    expect(u.upgrade).type.toBeCallableWith({} as RequestContext, async (conn: Conn) => { await conn.readMessage() })
    expect<{ checkOrigin: (c: RequestContext) => boolean }>().type.toBeAssignableTo<HertzUpgraderOptions>()
  })
})

describe('Dialer', () => {
  test('dial gives a Conn and the response', () => {
    expect(DefaultDialer).type.toBe<Dialer>()
    expect(DefaultDialer.dial('ws://localhost/echo')).type.toBe<Promise<[Conn, IncomingMessage]>>()
    expect<{ handshakeTimeout: number }>().type.toBeAssignableTo<DialerOptions>()
  })
})

describe('errors', () => {
  test('code is the union of the WsCompatErrorCode strings', () => {
    expect<WsCompatError['code']>().type.toBe<WsCompatErrorCode>()
    expect<'WS_COMPAT_ERR_READ_LIMIT'>().type.toBeAssignableTo<WsCompatErrorCode>()
    expect<'WS_COMPAT_ERR_NOPE'>().type.not.toBeAssignableTo<WsCompatErrorCode>()
  })
  test('a CloseError carries the close code and text', () => {
    expect<CloseError['code']>().type.toBe<number>()
    expect<CloseError['text']>().type.toBe<string>()
  })
})
