// Module hooks that load `.ts` files compiled by esbuild the way tsc compiles them for `dist/`.
//
// Why not tsx: tsx always compiles with esbuild's `keepNames`, which wraps every function and class
// expression in a `__name(fn, "name")` call. For a closure created per request or per connection that is an
// extra call plus a property store on every instance - measured here at about 2 KB of heap per idle
// WebSocket and several percent of HTTP throughput. The published packages (tsc output) carry no such cost,
// and neither do fastify or ws, which run as plain JavaScript; measuring our packages through tsx would
// charge them for the dev loader.
import { readFile } from 'node:fs/promises'
import { transform } from 'esbuild'

// The compiler settings of tsconfig.base.json that change the emitted code.
const TSCONFIG = { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, verbatimModuleSyntax: true } }

/** Relative `./x.js` imports name the compiled file; in the sources it is `./x.ts`. */
export async function resolve (specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context)
  } catch (err) {
    const relative = specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:')
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !relative || !specifier.endsWith('.js')) throw err
    return nextResolve(`${specifier.slice(0, -3)}.ts`, context)
  }
}

/**
 * `.ts` files: esbuild, no name keeping, no source map. An inline map would stay in the heap with each module's
 * source (its mappings and the TypeScript it came from, base64-encoded): about half a MB for the packages, which
 * the published build does not carry (its maps are separate files, read only with --enable-source-maps), and
 * enough to move a server across V8's GC thresholds (see RESULTS.md, 16 KB echo).
 */
export async function load (url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context)
  const source = await readFile(new URL(url), 'utf8')
  const out = await transform(source, {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    tsconfigRaw: TSCONFIG,
    sourcefile: url,
    sourcemap: false
  })
  return { format: 'module', source: out.code, shortCircuit: true }
}
