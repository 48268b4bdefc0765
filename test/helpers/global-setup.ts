import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { LocalTemporalServer } from '../../src/testing/local-temporal-server';
import { NEXUS_CALLER_NAMESPACE } from './namespaces';

/**
 * Starts one Temporal dev server for the whole jest run and bundles the workflows once; test files
 * find both through environment variables. `TEMPORAL_TEST_ADDRESS` set beforehand reuses a running server.
 */
export default async function globalSetup(): Promise<void> {
  const dir = await bundleTestWorkflows();

  if (!process.env.TEMPORAL_TEST_ADDRESS) {
    const server = await LocalTemporalServer.start({
      logFile: join(dir, 'temporal-server.log'),
      namespaces: [NEXUS_CALLER_NAMESPACE],
    });
    (globalThis as { __temporalServer?: LocalTemporalServer }).__temporalServer = server;
    process.env.TEMPORAL_TEST_ADDRESS = server.address;
  }
}

/**
 * Bundles the test workflows once into a run folder of their own; `CODIKA_TEST_DIR` names the folder
 * and `CODIKA_TEST_WORKFLOW_BUNDLE` the bundle, for every test file and worker process.
 */
export async function bundleTestWorkflows(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'codika-temporal-test-'));
  process.env.CODIKA_TEST_DIR = dir;
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../fixtures/workflows'),
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.CODIKA_TEST_WORKFLOW_BUNDLE = bundlePath;
  return dir;
}
