/** `codika-temporal run --standalone`: one Codika execution as one standalone activity, followed live. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActivityHandle, Client } from '@temporalio/client';
import type { CodikaActivityHeartbeat } from '../activities/codika-execution-activity';
import { startCodikaActivity } from '../client/standalone/start-codika-activity';
import type { StartCodikaActivityOptions } from '../client/standalone/codika-activity-start';
import type { CodikaExecutionInput, CodikaExecutionResult } from '../shared/execution-types';
import type { CliOutput, GlobalOptions } from './context';
import { printOutcome } from './follow-run';
import { ProgressView } from './progress';

/** How often the CLI describes the activity while it runs. */
const REFRESH_MS = 1_000;

/**
 * Starts the activity, shows its attempt and executionId while it runs, then prints the result as
 * `run` does (JSON on stdout with `json`) and returns the exit code: 0 on success, 1 on failure.
 *
 * @throws CodikaValidationError on bad input, CodikaStandaloneUnsupportedError on a server without standalone activities.
 */
export async function runStandalone(
  temporal: { client: Client; namespace: string },
  settings: GlobalOptions,
  input: CodikaExecutionInput,
  options: StartCodikaActivityOptions,
  io: CliOutput,
  json: boolean,
): Promise<number> {
  const handle = await startCodikaActivity(temporal.client, input, { ...options, taskQueue: settings.taskQueue });
  io.err(`Started standalone activity ${handle.activityId}\n  ${activityLink(settings, temporal.namespace, handle)}`);
  const view = new ProgressView(io.stderr);
  let done = false;
  const result = handle.result().finally(() => {
    done = true;
  });
  result.catch(() => undefined);
  while (!done) {
    const line = await progressOf(handle, input.workflowId).catch(() => undefined);
    if (line !== undefined && !done) view.update([{ text: line, active: true }]);
    await Promise.race([result.catch(() => undefined), sleep(REFRESH_MS)]);
  }
  return printOutcome(
    io,
    json,
    result as Promise<CodikaExecutionResult>,
    (value: CodikaExecutionResult) =>
      `✔ ${input.workflowId} succeeded: execution ${value.executionId}, ${value.polls} status checks\n` +
      JSON.stringify(value.resultData, null, 2),
  );
}

/** One line: state, attempt, the execution once recorded. */
async function progressOf(handle: ActivityHandle, workflowId: string): Promise<string> {
  const described = await handle.describe({ includeHeartbeatDetails: true });
  const details = await described.getHeartbeatDetails<CodikaActivityHeartbeat>();
  const parts = [`${workflowId}: ${(described.runState ?? described.status).toLowerCase()}`];
  if (described.attempt > 1) parts.push(`attempt ${described.attempt}`);
  if (details?.executionId) parts.push(`execution ${details.executionId}`);
  return parts.join(', ');
}

/** The Temporal UI page of a standalone activity. */
function activityLink(options: GlobalOptions, namespace: string, handle: ActivityHandle): string {
  const base = options.uiUrl.replace(/\/+$/, '');
  const id = encodeURIComponent(handle.activityId);
  return `${base}/namespaces/${encodeURIComponent(namespace)}/activities/${id}/${handle.runId ?? ''}/details`;
}
