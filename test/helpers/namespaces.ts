import Long from 'long';
import type { Connection } from '@temporalio/client';
import { sleep } from './wait';

/** The namespace the Nexus tests call Codika from; the jest run's server creates it at start. */
export const NEXUS_CALLER_NAMESPACE = 'codika-nexus-caller';

/**
 * Makes sure `namespace` exists on a server the run did not start (`TEMPORAL_TEST_ADDRESS`): a new
 * namespace takes the server a few seconds to serve, so this waits until it answers.
 */
export async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
  const described = await connection.workflowService.describeNamespace({ namespace }).catch(() => undefined);
  if (described) return;
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(24 * 3600) },
  });
  for (let attempt = 0; attempt < 60; attempt++) {
    const ready = await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 }).then(
      () => true,
      () => false,
    );
    if (ready) return;
    await sleep(500);
  }
  throw new Error(`namespace ${namespace} was registered but never served`);
}
