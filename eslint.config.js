import neostandard from 'neostandard'

// One style for the whole tree: neostandard (standard's rules in flat config, as fastify uses), TypeScript aware.
export default [
  ...neostandard({ ts: true, ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'docs/api/**'] }),
  {
    rules: {
      // `void promise` marks a promise deliberately left floating (it never rejects, or is handled elsewhere).
      'no-void': ['error', { allowAsStatement: true }],
      // A value and a type of the same name (`const HertzErrorCode = {...}; type HertzErrorCode = ...`) is the
      // packages' enum idiom; the compiler itself reports real redeclarations.
      '@typescript-eslint/no-redeclare': 'off',
      // Loops that wait (`while (!done) await sleep(…)`) watch variables that callbacks set; the rule cannot see them.
      'no-unmodified-loop-condition': 'off',
      // `(r) => setTimeout(r, ms)` and `(_, reject)` are clear enough; the rule asks for one spelling of them.
      'promise/param-names': 'off'
    }
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', caughtErrors: 'none' }]
    }
  }
]
