import t from 'tap'
import { normalizePath, cleanPath, percentDecode, quotePath, absoluteFormPath } from './path.js'

t.test('normalizePath decodes once and resolves dot segments', async t => {
  const cases: Array<[string, string]> = [
    ['/', '/'],
    ['/plain/path', '/plain/path'],
    ['/%61dmin', '/admin'],
    ['/%2561dmin', '/%61dmin'],
    ['/a%2Fb', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/../../etc', '/etc'],
    ['/a/%2e%2e/b', '/b'],
    ['//a///b//', '/a/b/'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/caf%C3%A9', '/café'],
    ['/bad%zz%4', '/bad%zz%4'],
    ['/plus+sign', '/plus+sign'],
    ['/a#frag', '/a#frag']
  ]
  for (const [input, want] of cases) t.equal(normalizePath(input), want, input)
  t.equal(cleanPath('a/b'), '/a/b')
  t.equal(percentDecode('%E2%82%AC'), '€')
})

t.test('quotePath and absoluteFormPath', async t => {
  t.equal(quotePath('/a b/\\x?y#z%'), '/a%20b/%5Cx%3Fy%23z%25')
  t.equal(absoluteFormPath('http://h:1/p?q'), '/p?q')
  t.equal(absoluteFormPath('https://h'), '/')
  t.equal(absoluteFormPath('http://h?x=1'), '/?x=1')
  t.equal(absoluteFormPath('*'), null)
  t.equal(absoluteFormPath('relative/path'), null)
})
