import { describe, expect, test } from 'tstyche'
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as adaptor from '@hertz-node/adaptor'
import { AdaptorError, AdaptorErrorCode, type NodeHandler } from '@hertz-node/adaptor'
import type { HandlerFunc } from '@hertz-node/router'

describe('handler: (req, res)', () => {
  test('sync and async Node handlers become router handlers', () => {
    expect(adaptor.handler((_req: IncomingMessage, res: ServerResponse) => { res.end() })).type.toBe<HandlerFunc>()
    expect(adaptor.handler(async (_req, res) => { res.end() })).type.toBe<HandlerFunc>()
    expect(adaptor.HertzHandler).type.toBe(adaptor.handler)
  })
  test('a router (ctx, c) handler is not a Node handler', () => {
    expect(adaptor.handler).type.not.toBeCallableWith((_ctx: object, c: { string: (n: number, s: string) => void }) => { c.string(200, '') })
  })
  test('NodeHandler defaults to node:http types', () => {
    expect<NodeHandler>().type.toBe<(req: IncomingMessage, res: ServerResponse) => unknown>()
  })
})

describe('errors', () => {
  test('code is the union of the AdaptorErrorCode strings', () => {
    expect<AdaptorError['code']>().type.toBe<AdaptorErrorCode>()
    expect<AdaptorErrorCode>().type.toBe<'ADAPTOR_ERR_HIJACKED' | 'ADAPTOR_ERR_NOT_HIJACKABLE' | 'ADAPTOR_ERR_BAD_HANDLER' | 'ADAPTOR_ERR_BAD_ENGINE'>()
  })
})
