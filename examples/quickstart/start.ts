import { Client, Connection } from '@temporalio/client';
import { TASK_QUEUE } from './task-queue';
import type { weeklyDigest } from './workflows';

async function main(): Promise<void> {
  const [processInstanceId = 'pi_demo', text = 'Sales grew 12% this week.', phone = '+32470000000'] =
    process.argv.slice(2);
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233' });
  const client = new Client({ connection });
  const sent = await client.workflow.execute<typeof weeklyDigest>('weeklyDigest', {
    taskQueue: TASK_QUEUE,
    workflowId: `weekly-digest-${Date.now()}`,
    args: [processInstanceId, text, phone],
  });
  console.log(`messages sent: ${sent}`);
  await connection.close();
}

main().catch((err) => {
  console.error(String(err)); // the message, not a stack: e.g. no Temporal server at TEMPORAL_ADDRESS
  process.exit(1);
});
