import { describe, expect, test } from 'tstyche'
import type { FastifyPluginAsync } from 'fastify'
import {
  server, Hertz, HertzError, HertzErrorCode, RequestContext, type Context, type HandlerFunc, type Option,
  type RouteInfo, type HostPort, type Addr
} from '@hertz-node/router'
import { hertzFastify, type HertzFastifyOptions } from '@hertz-node/router/fastify'

describe('server', () => {
  test('New and Default take options and give a Hertz', () => {
    expect(server.New()).type.toBe<Hertz>()
    expect(server.Default(server.withHostPorts(':8080'), server.withExitWaitTime(1000))).type.toBe<Hertz>()
    expect(server.withHostPorts(':8080')).type.toBe<Option>()
    expect(server.New).type.not.toBeCallableWith({ hostPorts: ':8080' })
    expect(server.withExitWaitTime).type.not.toBeCallableWith('1s')
  })
  test('spin and routes', () => {
    expect(server.New().spin()).type.toBe<Promise<void>>()
    expect(server.New().routes()).type.toBe<RouteInfo[]>()
  })
})

describe('handlers: (ctx, c)', () => {
  const h = server.New()
  test('sync and async handlers both register', () => {
    expect(h.GET).type.toBeCallableWith('/', (_ctx: Context, c: RequestContext) => { c.string(200, 'ok') })
    expect(h.GET).type.toBeCallableWith('/', async (ctx: Context, c: RequestContext) => { await c.next(ctx) })
    expect<HandlerFunc>().type.toBe<(ctx: Context, c: RequestContext) => void | Promise<void>>()
  })
  test('a Node (req, res) handler does not fit without the adaptor', () => {
    expect(h.GET).type.not.toBeCallableWith('/', (_req: import('node:http').IncomingMessage, _res: import('node:http').ServerResponse) => {})
  })
})

describe('RequestContext getters', () => {
  const c = {} as RequestContext
  test('strings, never undefined', () => {
    expect(c.param('id')).type.toBe<string>()
    expect(c.query('q')).type.toBe<string>()
    expect(c.getHeader('Host')).type.toBe<string>()
    expect(c.host()).type.toBe<string>()
    expect(c.path()).type.toBe<string>()
    expect(c.method()).type.toBe<string>()
    expect(c.fullPath()).type.toBe<string>()
    expect(c.clientIP()).type.toBe<string>()
  })
  test('the rest', () => {
    expect(c.remoteAddr()).type.toBe<Addr>()
    expect(c.getRawData()).type.toBe<Buffer | null>()
    expect(c.get('k')).type.toBe<unknown>()
    expect(c.isAborted()).type.toBe<boolean>()
    expect(c.signal).type.toBe<AbortSignal>()
  })
})

describe('errors', () => {
  test('code is the union of the HertzErrorCode strings', () => {
    expect<HertzError['code']>().type.toBe<HertzErrorCode>()
    expect<'HERTZ_ERR_BAD_ROUTE'>().type.toBeAssignableTo<HertzErrorCode>()
    expect<'HERTZ_ERR_NO_SUCH_CODE'>().type.not.toBeAssignableTo<HertzErrorCode>()
    expect(HertzErrorCode.BAD_ROUTE).type.toBe<'HERTZ_ERR_BAD_ROUTE'>()
  })
})

describe('options', () => {
  test('HostPort', () => {
    expect<HostPort>().type.toBe<{ host: string, port: number }>()
  })
})

describe('the fastify plugin', () => {
  test('is a fastify plugin with the router and an optional prefix', () => {
    expect(hertzFastify).type.toBe<FastifyPluginAsync<HertzFastifyOptions>>()
    expect<{ router: Hertz }>().type.toBeAssignableTo<HertzFastifyOptions>()
    expect<{ router: Hertz, prefix: string }>().type.toBeAssignableTo<HertzFastifyOptions>()
    expect<{ prefix: string }>().type.not.toBeAssignableTo<HertzFastifyOptions>()
    expect<{ router: Hertz, prefix: undefined }>().type.not.toBeAssignableTo<HertzFastifyOptions>()
  })
})
