import t from 'tap'
import { server, type Option } from '../index.js'
import { newOptions, parseHostPorts } from './options.js'

t.test('defaults are Hertz\'s', async t => {
  const o = newOptions([])
  t.match(o, {
    addr: ':8888',
    network: 'tcp',
    basePath: '/',
    readTimeout: 180000,
    idleTimeout: 180000,
    readHeaderTimeout: 60000,
    exitWaitTime: 5000,
    maxRequestBodySize: 4 << 20,
    maxHeaderBytes: 1 << 20,
    handleMethodNotAllowed: false,
    redirectTrailingSlash: true,
    redirectFixedPath: false,
    streamRequestBody: false,
    keepAlive: true
  })
  t.equal(server.New().options.addr, ':8888')
})

t.test('options apply in order; derived timeouts follow the read timeout', async t => {
  const o = newOptions([server.withHostPorts(':8080'), server.withReadTimeout(1000), server.withHostPorts('127.0.0.1:9')])
  t.equal(o.addr, '127.0.0.1:9')
  t.equal(o.idleTimeout, 1000, 'idle follows read')
  t.equal(o.readHeaderTimeout, 1000, 'header deadline stays inside the read deadline')
  const p = newOptions([server.withReadTimeout(0), server.withIdleTimeout(7)])
  t.equal(p.idleTimeout, 7)
  t.equal(p.readHeaderTimeout, 60000)
  t.equal(newOptions([server.withBasePath('api')]).basePath, '/api/')
  t.equal(newOptions([server.withNetwork('unix'), server.withHostPorts('/tmp/x.sock')]).addr, '/tmp/x.sock')
  t.equal(newOptions([server.withHostPorts('/tmp/x.sock'), server.withNetwork('unix')]).network, 'unix', 'order-independent check')
})

t.test('bad options throw HERTZ_ERR_BAD_OPTION', async t => {
  const bad: Array<() => unknown> = [
    () => server.withReadTimeout(-1),
    () => server.withIdleTimeout(Number.NaN),
    () => server.withExitWaitTime('5s' as unknown as number),
    () => server.withMaxRequestBodySize(0),
    () => server.withMaxHeaderBytes(1.5),
    () => server.withHandleMethodNotAllowed('yes' as unknown as boolean),
    () => server.withNetwork('udp' as never),
    () => server.withHostPorts(8080 as unknown as string),
    () => server.New(server.withHostPorts('8080')),
    () => server.New(server.withHostPorts('a:b:8080')),
    () => server.New(server.withHostPorts(':99999')),
    () => server.New(server.withHostPorts(':80x')),
    () => server.New({} as Option),
    () => server.New(null as unknown as Option)
  ]
  for (const fn of bad) {
    t.throws(fn, { name: 'HertzError', code: 'HERTZ_ERR_BAD_OPTION' }, fn.toString())
  }
})

t.test('parseHostPorts', async t => {
  t.same(parseHostPorts(':8080'), { host: undefined, port: 8080, path: undefined })
  t.same(parseHostPorts('localhost:80'), { host: 'localhost', port: 80, path: undefined })
  t.same(parseHostPorts('[::1]:0'), { host: '::1', port: 0, path: undefined })
  t.same(parseHostPorts(':1', 'tcp4'), { host: '0.0.0.0', port: 1, path: undefined })
  t.same(parseHostPorts(':1', 'tcp6'), { host: '::', port: 1, path: undefined })
  t.same(parseHostPorts('/run/s.sock', 'unix'), { host: undefined, port: 0, path: '/run/s.sock' })
})

t.test('withWorkers: 1 by default, 0 for one per core, anything but an integer >= 0 refused', async t => {
  t.equal(newOptions([]).workers, 1)
  t.equal(newOptions([server.withWorkers(0)]).workers, 0)
  t.equal(newOptions([server.withWorkers(4)]).workers, 4)
  for (const bad of [-1, 1.5, NaN, '2', null]) {
    let caught: unknown
    try { server.withWorkers(bad as number) } catch (err) { caught = err }
    t.match(caught, { code: 'HERTZ_ERR_BAD_OPTION', message: /withWorkers: expected an integer >= 0/ }, `${String(bad)} is refused`)
  }
})
