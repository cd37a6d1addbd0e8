import { Hertz } from './hertz.js'
import { recovery } from '../pipeline/recover.js'
import type { Option } from './options.js'
import {
  withHostPorts, withNetwork, withBasePath, withReadTimeout, withReadHeaderTimeout, withIdleTimeout,
  withKeepAliveTimeout, withExitWaitTime, withMaxRequestBodySize, withMaxHeaderBytes, withHandleMethodNotAllowed,
  withRedirectTrailingSlash, withRedirectFixedPath, withStreamBody, withKeepAlive, withDisableDefaultDate,
  withDisableDefaultContentType, withDisableDefaultServerHeader, withMultipartLimits, withWorkers, withUseRawPath,
  withUnescapePathValues, withRemoveExtraSlash, withTLS
} from './options.js'

/** A server without middleware (Hertz's `server.New`). */
function New (...opts: Option[]): Hertz {
  return new Hertz(...opts)
}

/** A server with the recovery middleware installed (Hertz's `server.Default`). */
function Default (...opts: Option[]): Hertz {
  const h = new Hertz(...opts)
  h.use(recovery())
  return h
}

/** The `server` package: factories and options, used as `server.Default(server.withHostPorts(':8080'))`. */
export const server = {
  New,
  Default,
  withHostPorts,
  withNetwork,
  withBasePath,
  withReadTimeout,
  withReadHeaderTimeout,
  withIdleTimeout,
  withKeepAliveTimeout,
  withExitWaitTime,
  withMaxRequestBodySize,
  withMultipartLimits,
  withMaxHeaderBytes,
  withHandleMethodNotAllowed,
  withRedirectTrailingSlash,
  withRedirectFixedPath,
  withStreamBody,
  withKeepAlive,
  withDisableDefaultDate,
  withDisableDefaultContentType,
  withDisableDefaultServerHeader,
  withWorkers,
  withUseRawPath,
  withUnescapePathValues,
  withRemoveExtraSlash,
  withTLS
} as const
