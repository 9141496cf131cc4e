// The Galera cluster suite (test/cluster, *.cluster.test.ts): starts its own 3-node MariaDB
// Galera cluster (test/cluster/galera.ts), so it is slow and runs only on demand:
//   npx jest -c jest.cluster.config.js
// jest.config.js excludes these files from the everyday projects.
const TEST_RUN = String(process.pid);
module.exports = {
  // One cluster at a time: the nodes use fixed ports.
  maxWorkers: 1,
  // Per-project testTimeout is ignored by jest: it must be set here.
  testTimeout: 300000,
  globalTeardown: '<rootDir>/test/helpers/global-teardown.js',
  projects: [
    {
      displayName: 'cluster',
      transform: { '^.+\\.ts$': '<rootDir>/test/helpers/ts-transform.js' },
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      setupFiles: ['reflect-metadata'],
      testMatch: ['**/*.cluster.test.ts'],
      globals: { TEST_DB: 'mysql', TEST_RUN },
    },
  ],
};
