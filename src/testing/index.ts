/**
 * `codika-temporal/testing`: a mock Codika API and a local Temporal server, for tests and demos.
 *
 * Layer: testing kit. `MockCodikaServer` (in `./mock-codika`) is a real HTTP server as unkind as a
 * real service: it honours only what Codika documents, and its faults strike before and after the
 * work is accepted. `LocalTemporalServer` runs the Temporal CLI's dev server, found or built by
 * `src/provisioning`. Node code, never bundled into workflows.
 *
 * @packageDocumentation
 */
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
