// A ts-node transpiler (tsconfig.tap.json) that compiles each test module with esbuild instead of TypeScript.
//
// Why: tap runs every test file through ts-node, and ts-node's transpile-only mode still runs TypeScript's
// emitter on each module a test imports - up to about 2 s of CPU for a test that loads ws-compat, times 100 files.
// esbuild does the same type-stripping in a few milliseconds. It is the compiler the bench loader uses
// (bench/src/loader/hooks.mjs), with the same compiler settings that change the emitted code.
'use strict'
const { transformSync } = require('esbuild')

const TSCONFIG = { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, verbatimModuleSyntax: true } }

exports.create = function create () {
  return {
    transpile (input, { fileName }) {
      const out = transformSync(input, {
        loader: fileName.endsWith('x') ? 'tsx' : 'ts',
        format: 'esm',
        target: `node${process.versions.node}`,
        tsconfigRaw: TSCONFIG,
        sourcefile: fileName,
        // esbuild renames a function whose name another declaration of the module already takes; tests read
        // handler names (`c.handlerName()`), which TypeScript's emit leaves as written. tsx keeps them this way too.
        keepNames: true,
        sourcemap: 'external'
      })
      return { outputText: out.code, sourceMapText: out.map }
    }
  }
}
