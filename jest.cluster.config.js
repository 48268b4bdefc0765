/** `npm run test:cluster`: a real cluster (PostgreSQL, four Temporal services as processes), its parts killed and restarted. */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/integration/cluster/**/*.cluster.ts'],
  globalSetup: '<rootDir>/test/helpers/cluster-global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/cluster-global-teardown.ts',
  testTimeout: 600_000,
  maxWorkers: 1,
};
