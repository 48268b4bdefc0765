/**
 * `codika-temporal/testing`: a mock Codika API and a local Temporal server, for tests and demos.
 *
 * Layer: testing kit. `MockCodikaServer` (in `./mock-codika`) is a real HTTP server as unkind as a
 * real service: it honours only what Codika documents, and its faults strike before and after the
 * work is accepted. `LocalTemporalServer` runs the Temporal server binary as one process on SQLite
 * (or the Temporal CLI's dev server, for the oldest supported server), found or built by
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
export {
  LocalTemporalServer,
  freePort,
  localServerVersionFromEnv,
  type LocalTemporalServerOptions,
  type LocalTemporalServerSource,
  type LocalTemporalServerVersion,
} from './local-temporal-server';
export { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER_VERSION } from '../provisioning/cluster-binaries';
export { OLDEST_SUPPORTED_SERVER_VERSION, SERVER_VERSION_NEEDED } from '../shared/server-versions';
export {
  findOrBuildTemporalCli,
  temporalCliCacheDir,
  TEMPORAL_CLI_VERSION,
  type FindTemporalCliOptions,
  type TemporalCli,
  type TemporalCliSource,
} from '../provisioning/temporal-cli';
