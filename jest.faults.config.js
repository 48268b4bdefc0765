/** `npm run test:faults`: the fault suite (bounded in time, traffic to 127.0.0.1 only), on the same real server setup. */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/integration/faults/**/*.faults.ts'],
  globalSetup: '<rootDir>/test/helpers/faults-global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/faults-global-teardown.ts',
  testTimeout: 300_000,
  maxWorkers: 1,
};
