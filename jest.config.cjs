/** Jest runs the TypeScript sources through SWC as CommonJS; `tsc` does the type checking. */

// FRAMESTORE_TEST_BACKENDS=inmemory (or redis) runs one backend's suites locally; unset (CI) runs both.
const BACKENDS = ['inmemory', 'redis'];
const selected = (process.env.FRAMESTORE_TEST_BACKENDS ?? BACKENDS.join(','))
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);
const unknown = selected.filter((name) => !BACKENDS.includes(name));
if (unknown.length > 0) throw new Error(`FRAMESTORE_TEST_BACKENDS: unknown backend(s) ${unknown.join(', ')}`);
const skippedBackends = BACKENDS.filter((name) => !selected.includes(name));

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...skippedBackends.map((name) => `/tests/backends/${name}[-.]`)],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60000,
  // Child processes and redis-server instances are heavy on a 2-core machine.
  maxWorkers: 2,
};
