/** `npm run test:fuzz`: the continue-as-new fuzz suite; each threshold starts a dev server of its own. */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/fuzz/**/*.fuzz.ts'],
  globalSetup: '<rootDir>/test/helpers/fuzz-global-setup.ts',
  globalTeardown: undefined,
  testTimeout: 600_000,
  maxWorkers: 1,
};
