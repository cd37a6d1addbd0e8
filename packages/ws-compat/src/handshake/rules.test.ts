import t from 'tap'
import {
  checkSameOrigin,
  computeAcceptKey,
  equalASCIIFold,
  headerLines,
  isValidChallengeKey,
  rawHeaderContainsToken,
  tokenListContainsValue,
} from './rules.js'

t.test('computeAcceptKey matches RFC 6455 section 1.3', async (t) => {
  t.equal(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
})

t.test('isValidChallengeKey accepts only base64 of 16 bytes', async (t) => {
  t.ok(isValidChallengeKey('dGhlIHNhbXBsZSBub25jZQ=='))
  t.ok(isValidChallengeKey('AAAAAAAAAAAAAAAAAAAAAA=='))
  t.notOk(isValidChallengeKey(undefined))
  t.notOk(isValidChallengeKey(''))
  t.notOk(isValidChallengeKey('dGhlIHNhbXBsZSBub25jZQ'), 'padding is required')
  t.notOk(isValidChallengeKey('dGhlIHNhbXBsZSBub25jZQ='))
  t.notOk(isValidChallengeKey('dGhlIHNhbXBsZSBub25jZSE='), '17 bytes')
  t.notOk(isValidChallengeKey('dGhlIHNhbXBsZSBub25j'), '15 bytes')
  t.notOk(isValidChallengeKey('dGhlIHNhbXBsZS*ub25jZQ=='), 'not base64')
  t.notOk(isValidChallengeKey('dGhlIHNhbXBsZSBub25jZQ==, x'), 'two values joined')
})

t.test('equalASCIIFold folds ASCII letters only', async (t) => {
  t.ok(equalASCIIFold('WebSocket', 'websocket'))
  t.ok(equalASCIIFold('', ''))
  t.notOk(equalASCIIFold('websocket', 'websockets'))
  t.notOk(equalASCIIFold('\u00e9', '\u00c9'), 'non-ASCII letters are not folded')
  t.notOk(equalASCIIFold('[', '{'))
})

t.test('tokenListContainsValue reads 1#token lists like gorilla', async (t) => {
  t.ok(tokenListContainsValue('Upgrade', 'upgrade'))
  t.ok(tokenListContainsValue('keep-alive, Upgrade', 'upgrade'))
  t.ok(tokenListContainsValue(' keep-alive ,\tUPGRADE ', 'upgrade'))
  t.notOk(tokenListContainsValue('keep-alive', 'upgrade'))
  t.notOk(tokenListContainsValue('upgrade-insecure', 'upgrade'))
  t.notOk(tokenListContainsValue(undefined, 'upgrade'))
  t.notOk(tokenListContainsValue('', 'upgrade'))
  t.notOk(tokenListContainsValue('keep alive, upgrade', 'upgrade'), 'a malformed line stops at the error')
  t.notOk(tokenListContainsValue('a,,upgrade', 'upgrade'), 'an empty element stops the line')
  t.ok(tokenListContainsValue(['keep alive, upgrade', 'Upgrade'], 'upgrade'), 'each field line on its own')
  t.ok(tokenListContainsValue(['12', '13'], '13'))
})

t.test('rawHeaderContainsToken reads req.rawHeaders as tokenListContainsValue reads the collected lines', async (t) => {
  const raw = ['Host', 'x', 'CONNECTION', 'keep alive, upgrade', 'Upgrade', 'WebSocket', 'connection', 'Upgrade', 'X-Connection', 'upgrade']
  const cases: Array<[name: string, token: string]> = [
    ['connection', 'upgrade'], ['upgrade', 'websocket'], ['connection', 'keep-alive'], ['upgrade', 'h2c'],
    ['sec-websocket-version', '13'], ['x-connection', 'upgrade'], ['host', 'x'],
  ]
  for (const [name, token] of cases) {
    t.equal(rawHeaderContainsToken(raw, name, token), tokenListContainsValue(headerLines(raw, name), token), `${name} / ${token}`)
  }
  t.ok(rawHeaderContainsToken(raw, 'connection', 'upgrade'), 'the second line matches where the first is malformed')
  t.notOk(rawHeaderContainsToken(raw, 'sec-websocket-version', '13'), 'an absent header contains nothing')
  t.notOk(rawHeaderContainsToken(['Connection'], 'connection', 'upgrade'), 'a name without its value is not read')
  t.ok(rawHeaderContainsToken(['Sec-WebSocket-Version', '8, 13'], 'sec-websocket-version', '13'))
})

t.test('checkSameOrigin is the seed\'s fastHTTPCheckSameOrigin', async (t) => {
  t.ok(checkSameOrigin(undefined, 'example.com'), 'no Origin: allowed')
  t.ok(checkSameOrigin('http://example.com', 'example.com'))
  t.ok(checkSameOrigin('https://EXAMPLE.com:8080', 'example.COM:8080'), 'host compared case-insensitively')
  t.ok(checkSameOrigin('http://user:pw@example.com', 'example.com'), 'userinfo is not part of the host')
  t.notOk(checkSameOrigin('http://example.com:80', 'example.com'), 'port as written, like Go url.Parse')
  t.notOk(checkSameOrigin('http://evil.example', 'example.com'))
  t.notOk(checkSameOrigin('null', 'example.com'), 'opaque origin')
  t.notOk(checkSameOrigin('http://exa mple.com', 'example.com'), 'unparsable: refused')
  t.notOk(checkSameOrigin('http://[::1', 'example.com'), 'unparsable: refused')
  t.notOk(checkSameOrigin('', 'example.com'), 'present but empty does not match a host')
  t.notOk(checkSameOrigin('mailto:x@example.com', 'example.com'), 'no authority: empty host')
})
