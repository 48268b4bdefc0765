import { bundleTestWorkflows } from './global-setup';
import { CLUSTER_BINARIES, findOrBuildGoBinary } from '../../src/provisioning/cluster-binaries';

/**
 * The fuzz suite starts its own servers: it needs the workflows bundled once, and the Temporal
 * server built (from Go modules, once per machine) before any test's clock runs.
 */
export default async function fuzzGlobalSetup(): Promise<void> {
  await findOrBuildGoBinary(CLUSTER_BINARIES.server);
  await bundleTestWorkflows();
}
