import { join } from 'node:path';
import globalSetup from './global-setup';

/** The shared setup, plus the file every fault scenario adds its row to. */
export default async function faultsGlobalSetup(): Promise<void> {
  await globalSetup();
  process.env.CODIKA_FAULT_REPORT = join(process.env.CODIKA_TEST_DIR!, 'fault-report.jsonl');
}
