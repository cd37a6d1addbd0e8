import t from 'tap'
import { mountPaths } from './mount.js'

t.test('mount paths for every base path / fastify prefix spelling', async t => {
  const cases: Array<[string, string, { wildcard: string, exact: string | null, upgradePrefix: string }]> = [
    ['/', '', { wildcard: '/*', exact: null, upgradePrefix: '' }],
    ['/hz/', '', { wildcard: '/hz/*', exact: '/hz', upgradePrefix: '/hz' }],
    ['/hz/', '/hz', { wildcard: '/*', exact: '', upgradePrefix: '/hz' }],
    ['/hz/', '/hz/', { wildcard: '/*', exact: null, upgradePrefix: '/hz' }],
    ['/api/hz/', '/api', { wildcard: '/hz/*', exact: '/hz', upgradePrefix: '/api/hz' }],
    ['/api/hz/', '/api/', { wildcard: '/hz/*', exact: '/hz', upgradePrefix: '/api/hz' }]
  ]
  for (const [base, prefix, want] of cases) t.same(mountPaths(base, prefix), want, `${base} under '${prefix}'`)

  for (const [base, prefix] of [['/', '/hz'], ['/hzz/', '/hz'], ['/api/', '/api/hz'], ['/HZ/', '/hz']]) {
    t.throws(() => mountPaths(base as string, prefix as string), { code: 'HERTZ_ERR_BAD_OPTION', message: /withBasePath/ }, `${base} under ${prefix}`)
  }
})
