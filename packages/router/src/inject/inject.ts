import type { IncomingMessage, ServerResponse } from 'node:http'
import type * as LightMyRequest from 'light-my-request'
import { loadPlugins, type PluginHost } from '../routing/plugin.js'
import type { EngineRef } from '../server/engine-ref.js'

// In-process requests (Hertz's `ut.PerformRequest`, fastify's `inject`): light-my-request builds the request and
// response objects and collects the answer; the engine serves them through its ordinary pipeline. No socket is
// opened, so a test needs no port and leaves nothing listening.

/** What to send: `method`, `url`, `headers`, `payload` (or `body`), `cookies`, `query` (light-my-request's options). */
export type InjectOptions = Omit<LightMyRequest.InjectOptions, 'server' | 'autoStart' | 'Request'>

/** The answer: `statusCode`, `headers`, `body` / `payload` (text), `rawPayload`, `json()`, `cookies`. */
export type InjectResponse = LightMyRequest.Response

/** What injecting needs of the engine (the Engine is one). */
export type InjectHost = EngineRef & PluginHost & {
  handleRequest: (req: IncomingMessage, res: ServerResponse) => Promise<void>
}

// light-my-request is loaded on first use: a server that never injects never pays for it.
let lmr: Promise<typeof LightMyRequest> | null = null

/**
 * Serves one in-memory request through `host`'s whole chain. The plugins are loaded first (once, as `run()` would
 * load them; a plugin that fails rejects here with its `HERTZ_ERR_PLUGIN_*` error); the onRun hooks are not run and
 * the engine is not started, so `run()` / `spin()` may follow.
 */
export async function inject (host: InjectHost, opts: string | InjectOptions): Promise<InjectResponse> {
  await loadPlugins(host)
  lmr ??= import('light-my-request')
  const { inject: send } = await lmr
  return await send((req, res) => { void host.handleRequest(req, res) }, opts)
}
