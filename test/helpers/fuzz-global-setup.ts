import { bundleTestWorkflows } from './global-setup';

/** The fuzz suite starts its own servers: it only needs the workflows bundled once. */
export default async function fuzzGlobalSetup(): Promise<void> {
  await bundleTestWorkflows();
}
