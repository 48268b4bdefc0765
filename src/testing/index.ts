/** `codika-temporal/testing`: a mock Codika API and a local Temporal server, for tests and demos. */
export {
  MockCodikaServer,
  type MockCallbackRecord,
  type MockCodikaServerOptions,
  type MockExecution,
  type MockRequestRecord,
} from './mock-codika/mock-codika-server';
export type { MockExecutionScript, MockFault, MockFaultStrike, MockRandomFaults } from './mock-codika/mock-scripts';
export { DEMO_SCRIPTS } from './mock-codika/demo-scripts';
export { LocalTemporalServer, freePort, type LocalTemporalServerOptions } from './local-temporal-server';
export {
  findOrBuildTemporalCli,
  temporalCliCacheDir,
  TEMPORAL_CLI_VERSION,
  type FindTemporalCliOptions,
  type TemporalCli,
  type TemporalCliSource,
} from '../provisioning/temporal-cli';
