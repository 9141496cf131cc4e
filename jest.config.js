// Tests that use a database run twice: once on SQLite (embedded default) and once on MariaDB/MySQL.
// CI fails if MariaDB is not reachable: the mysql project never skips.
// Tests that use no database at all are named *.unit.test.ts and run once, in the `unit` project.
const common = {
  // Transpile only, with our own thin transformer (types are checked once by `npm run typecheck`,
  // which CI runs): see test/helpers/ts-transform.js for why not ts-jest.
  transform: { '^.+\\.ts$': '<rootDir>/test/helpers/ts-transform.js' },
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  setupFiles: ['reflect-metadata'],
};
const UNIT = '**/*.unit.test.ts';
// The Galera suite needs its own cluster: it runs only with jest.cluster.config.js.
const CLUSTER = '**/*.cluster.test.ts';
// This file is read once, by jest's main process: its pid names everything the run creates
// (test/helpers/test-db.ts), and test/helpers/global-teardown.js removes it at the end.
const TEST_RUN = String(process.pid);
module.exports = {
  maxWorkers: 2,
  // Per-project testTimeout is ignored by jest: it must be set here.
  testTimeout: 30000,
  globalTeardown: '<rootDir>/test/helpers/global-teardown.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: [UNIT], globals: { TEST_DB: 'none', TEST_RUN } },
    { ...common, displayName: 'sqlite', testMatch: ['**/*.test.ts', `!${UNIT}`, `!${CLUSTER}`], globals: { TEST_DB: 'sqlite', TEST_RUN } },
    { ...common, displayName: 'mysql', testMatch: ['**/*.test.ts', `!${UNIT}`, `!${CLUSTER}`], globals: { TEST_DB: 'mysql', TEST_RUN } },
  ],
};
