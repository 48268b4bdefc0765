/**
 * Makes sure a Temporal CLI binary is available (`npm run provision`), building it from Go modules
 * on first use. CI runs this first so the long build shows up as its own step.
 */
import { findOrBuildTemporalCli } from '../src/provisioning/temporal-cli';

findOrBuildTemporalCli()
  .then((cli) => {
    if (cli) console.log(`Temporal CLI: ${cli.path} (from ${cli.source})`);
    else console.log('No Temporal CLI and no Go toolchain: tests will let the Temporal SDK download the dev server.');
  })
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
