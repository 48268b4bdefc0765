import { faultTable } from './fault-report';

/** Prints the cluster scenarios' combined table. */
export default function clusterGlobalTeardown(): void {
  const table = faultTable(process.env.CODIKA_FAULT_REPORT ?? '');
  if (table) process.stdout.write(`\nCluster suite summary\n\n${table}\n\n`);
}
