import { bundleTestWorkflows } from './global-setup';
import { findOrBuildNamespacedDevServer } from './namespaced-dev-server';

/**
 * The fuzz suite starts its own servers: it needs the workflows bundled once, and the namespaced dev
 * server built (from Go modules, once per machine) before any test's clock runs.
 */
export default async function fuzzGlobalSetup(): Promise<void> {
  await findOrBuildNamespacedDevServer((message) => process.stderr.write(`${message}\n`));
  await bundleTestWorkflows();
}
