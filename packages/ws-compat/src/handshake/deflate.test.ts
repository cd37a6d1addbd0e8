import t from 'tap'
import { negotiatePermessageDeflate } from './deflate.js'

t.test('negotiatePermessageDeflate accepts the first valid offer, no context takeover', async (t) => {
  const NCT = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover'
  const neg = (h: string | string[] | undefined) => negotiatePermessageDeflate(h)?.header ?? null
  t.equal(neg('permessage-deflate'), NCT)
  t.equal(neg('permessage-deflate; client_max_window_bits'), NCT, 'a bare client_max_window_bits is dropped')
  t.equal(neg('permessage-deflate; server_no_context_takeover; client_no_context_takeover'), NCT)
  t.equal(neg('permessage-deflate; server_max_window_bits=10'), 'permessage-deflate; server_max_window_bits=10; server_no_context_takeover; client_no_context_takeover',
    'a server window limit is honoured and echoed')
  t.equal(neg('x-webkit-deflate-frame, permessage-deflate'), NCT, 'other extensions are ignored')
  t.equal(neg(['x-foo', 'permessage-deflate']), NCT, 'several field lines')
  t.same(negotiatePermessageDeflate('permessage-deflate')?.compression,
    { serverNoContextTakeover: true, clientNoContextTakeover: true })
  t.same(negotiatePermessageDeflate('permessage-deflate; server_max_window_bits=10; client_max_window_bits=12')?.compression,
    { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 })
  t.equal(neg(undefined), null)
  t.equal(neg(''), null)
  t.equal(neg('x-webkit-deflate-frame'), null)
  t.equal(neg('permessage-deflate; server_max_window_bits=7'), null, 'window too small')
  t.equal(neg('permessage-deflate; server_max_window_bits=16'), null, 'window too large')
  t.equal(neg('permessage-deflate; server_max_window_bits'), null, 'value required')
  t.equal(neg('permessage-deflate; unknown'), null, 'unknown parameter declines the offer')
  t.equal(neg('permessage-deflate; client_no_context_takeover; client_no_context_takeover'), null, 'repeated')
  t.equal(neg('permessage-deflate;; x'), null, 'a header that does not parse offers nothing')
  t.equal(neg('permessage-deflate; unknown, permessage-deflate; server_max_window_bits=9'),
    'permessage-deflate; server_max_window_bits=9; server_no_context_takeover; client_no_context_takeover', 'falls through to the next offer')
})
