import { Hertz } from './hertz.js'
import { recovery } from '../pipeline/recover.js'
import type { Option } from './options.js'

// Hertz's `server` package, exported whole as the namespace `server` (`server.Default(server.withHostPorts(...))`):
// a module namespace rather than an object literal, so each member keeps its own declaration and TSDoc.
export {
  withHostPorts, withNetwork, withBasePath, withReadTimeout, withReadHeaderTimeout, withIdleTimeout,
  withKeepAliveTimeout, withExitWaitTime, withMaxRequestBodySize, withMaxHeaderBytes, withHandleMethodNotAllowed,
  withRedirectTrailingSlash, withRedirectFixedPath, withStreamBody, withKeepAlive, withDisableDefaultDate,
  withDisableDefaultContentType, withDisableDefaultServerHeader, withMultipartLimits, withWorkers, withUseRawPath,
  withUnescapePathValues, withRemoveExtraSlash, withTLS
} from './options.js'

/** A server without middleware (Hertz's `server.New`). */
export function New (...opts: Option[]): Hertz {
  return new Hertz(...opts)
}

/** A server with the recovery middleware installed (Hertz's `server.Default`). */
export function Default (...opts: Option[]): Hertz {
  const h = new Hertz(...opts)
  h.use(recovery())
  return h
}
