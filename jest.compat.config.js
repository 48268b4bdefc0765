/**
 * `npm run test:compat`: the core integration tests on the oldest Temporal server the library
 * supports (src/shared/server-versions.ts), the Temporal CLI's dev server at that version, so a user
 * on an older cluster learns what works from a test. Bounded: a few files, one server.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/integration/compat/**/*.test.ts',
    '<rootDir>/test/integration/workflows/codika-execution-workflow.test.ts',
    '<rootDir>/test/integration/workflows/pipeline.test.ts',
    '<rootDir>/test/integration/workflows/trigger-delivery.test.ts',
    '<rootDir>/test/integration/workflows/operator-resolve.test.ts',
    '<rootDir>/test/integration/workflows/encryption.test.ts',
    '<rootDir>/test/integration/workflows/attach.test.ts',
    '<rootDir>/test/integration/workflows/durability.test.ts',
    '<rootDir>/test/integration/workflows/pipeline-step-kinds.test.ts',
    '<rootDir>/test/integration/nexus/**/*.test.ts',
    '<rootDir>/test/integration/client/start-codika-execution.test.ts',
  ],
  globalSetup: '<rootDir>/test/helpers/compat-global-setup.ts',
};
