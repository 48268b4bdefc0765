/**
 * Makes sure the Temporal binaries the tests and the demo run are available (`npm run provision`),
 * building them from Go modules on first use: the server (the dev server on SQLite) and the UI
 * server at the current versions, and the Temporal CLI whose dev server is the oldest supported
 * server (the compatibility job) and whose operator commands some tests run. CI runs this first so
 * the long builds show up as their own step, each with its time.
 */
import { CLUSTER_BINARIES, findOrBuildGoBinary } from '../src/provisioning/cluster-binaries';
import { findOnPath } from '../src/provisioning/go-install';
import { findOrBuildTemporalCli } from '../src/provisioning/temporal-cli';

async function main(): Promise<void> {
  const timed = async <T>(label: string, build: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await build();
    console.log(`${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  };
  if (findOnPath('go', process.env.PATH ?? '')) {
    const server = await timed('Temporal server', () => findOrBuildGoBinary(CLUSTER_BINARIES.server));
    console.log(`  ${server}`);
    const ui = await timed('Temporal UI server', () => findOrBuildGoBinary(CLUSTER_BINARIES.uiServer));
    console.log(`  ${ui}`);
  } else {
    // Without Go the tests fall back to the SDK's download of its dev server, where there is internet.
    console.log('No Go toolchain: the tests will let the Temporal SDK download its dev server.');
  }
  const cli = await timed('Temporal CLI', () => findOrBuildTemporalCli());
  if (cli) console.log(`  ${cli.path} (from ${cli.source})`);
  else console.log('No Temporal CLI and no Go toolchain: tests will let the Temporal SDK download the dev server.');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
