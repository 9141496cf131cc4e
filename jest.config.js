// The whole suite runs twice: once on SQLite (embedded default) and once on MariaDB/MySQL.
// CI fails if MariaDB is not reachable: the mysql project never skips.
const common = {
  // Transpile only (types are checked once by `npm run typecheck`, which CI runs): much faster.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['reflect-metadata'],
};
module.exports = {
  maxWorkers: 2,
  // Per-project testTimeout is ignored by jest: it must be set here.
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'sqlite', globals: { TEST_DB: 'sqlite' } },
    { ...common, displayName: 'mysql', globals: { TEST_DB: 'mysql' } },
  ],
};
