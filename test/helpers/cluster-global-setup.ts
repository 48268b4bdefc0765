import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { bundleTestWorkflows } from './global-setup';

/** `npm run test:cluster`: the workflows bundled once, and the file each scenario adds its row to. No dev server: each test file starts a cluster. */
export default async function clusterGlobalSetup(): Promise<void> {
  // What a cluster needs, as npm test provisions the dev server: PostgreSQL (installed when missing) and the Go binaries.
  execFileSync('bash', [join(__dirname, '..', '..', 'scripts', 'provision-cluster.sh')], { stdio: 'inherit' });
  const dir = await bundleTestWorkflows();
  process.env.CODIKA_FAULT_REPORT = join(dir, 'cluster-report.jsonl');
}
