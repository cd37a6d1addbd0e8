import neostandard from 'neostandard'

// One style for the whole tree: neostandard (standard's rules in flat config, as fastify uses), TypeScript aware.
export default [
  ...neostandard({ ts: true, ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**'] }),
  {
    rules: {
      // `void promise` marks a promise deliberately left floating (it never rejects, or is handled elsewhere).
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
