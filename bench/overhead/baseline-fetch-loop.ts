/**
 * The polling loop of Codika's API description ("the description" below), the yardstick the library is measured against: trigger with one POST, then
 * wait a fixed interval and ask for the status, until Codika says `success` or `failed`. Everything
 * lives in this process's memory, so a crash here loses the execution; that is what the library is for.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Where the baseline sends its requests, and with which key (`X-API-Key`). */
export interface BaselineTarget {
  baseUrl: string;
  apiKey: string;
}

/** One Codika execution to trigger. */
export interface BaselineRequest {
  processInstanceId: string;
  workflowId: string;
  payload?: Record<string, unknown>;
}

/** Options of {@link runBaselineExecution}. */
export interface BaselineOptions {
  /** Fixed wait before each status check. @default 1500 (as in the description) */
  pollIntervalMs?: number;
  /** Give up when the execution has not finished this long after the trigger. @default 120000 (as in the description) */
  maxWaitMs?: number;
}

/** How the execution ended, as the description reports it, and how many status checks were made. */
export interface BaselineResult {
  executionId: string;
  outcome: { status: 'success'; resultData: unknown } | { status: 'failed'; errorMessage: string };
  polls: number;
}

/**
 * Triggers one execution and polls its status at a fixed interval. A status call answered with an
 * HTTP error is skipped, an unknown status counts as still running, both as in the description.
 *
 * @throws Error when the trigger is refused or has no executionId, or when `maxWaitMs` passes.
 */
export async function runBaselineExecution(
  target: BaselineTarget,
  request: BaselineRequest,
  options: BaselineOptions = {},
): Promise<BaselineResult> {
  const executionId = await trigger(target, request);
  const intervalMs = options.pollIntervalMs ?? 1500;
  const maxWaitMs = options.maxWaitMs ?? 120_000;
  const startedAt = Date.now();
  let polls = 0;
  while (Date.now() - startedAt < maxWaitMs) {
    await sleep(intervalMs);
    const response = await fetch(`${target.baseUrl}/status/${path(request.processInstanceId)}/${path(executionId)}`, {
      headers: { 'X-API-Key': target.apiKey },
    });
    polls += 1;
    if (!response.ok) continue;
    const { execution } = (await response.json()) as StatusBody;
    if (execution?.status === 'success') {
      return { executionId, outcome: { status: 'success', resultData: execution.resultData }, polls };
    }
    if (execution?.status === 'failed') {
      const errorMessage = execution.errorDetails?.message ?? 'Unknown error';
      return { executionId, outcome: { status: 'failed', errorMessage }, polls };
    }
  }
  throw new Error(`Baseline: execution ${executionId} did not finish within ${maxWaitMs} ms`);
}

interface StatusBody {
  execution?: { status?: string; resultData?: unknown; errorDetails?: { message?: string } };
}

async function trigger(target: BaselineTarget, request: BaselineRequest): Promise<string> {
  const url = `${target.baseUrl}/webhook/${path(request.processInstanceId)}/${path(request.workflowId)}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': target.apiKey },
    body: JSON.stringify({ payload: request.payload ?? {} }),
  });
  if (!response.ok) {
    throw new Error(`Baseline: trigger failed with status ${response.status}: POST ${new URL(url).pathname}`);
  }
  const body = (await response.json()) as { executionId?: string; id?: string };
  const executionId = body.executionId ?? body.id;
  if (!executionId) throw new Error(`Baseline: no executionId in the trigger response: POST ${new URL(url).pathname}`);
  return executionId;
}

function path(segment: string): string {
  return encodeURIComponent(segment);
}
