import globalTeardown from './global-teardown';
import { faultTable } from './fault-report';

/** Prints the combined fault table, then stops the shared server. */
export default async function faultsGlobalTeardown(): Promise<void> {
  const table = faultTable(process.env.CODIKA_FAULT_REPORT ?? '');
  if (table) process.stdout.write(`\nFault suite summary\n\n${table}\n\n`);
  await globalTeardown();
}
