import { setTimeout as sleep } from 'node:timers/promises';
import { ActivityExecutionFailedError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { EXIT, type CliOutput } from './context';
import { ProgressView } from './progress';

/** How often the CLI asks a run for its state. */
const REFRESH_MS = 250;
/** A query that takes longer (no worker yet, busy worker) is skipped, not waited for. */
const QUERY_TIMEOUT_MS = 2_000;

/**
 * Waits for a run's result while showing its state, then prints the result (JSON on stdout with
 * `json`) and returns the exit code: 0 on success, 1 on failure with the failure's message.
 */
export async function followRun<State, Result>(
  handle: WorkflowHandle,
  query: QueryDefinition<State>,
  describe: (state: State) => { text: string; active: boolean }[],
  summarize: (result: Result) => string,
  io: CliOutput,
  json: boolean,
): Promise<number> {
  const view = new ProgressView(io.stderr);
  let done = false;
  const result = handle.result().finally(() => {
    done = true;
  }) as Promise<Result>;
  result.catch(() => undefined);
  while (!done) {
    const state = await withTimeout(handle.query(query), QUERY_TIMEOUT_MS).catch(() => undefined);
    if (state !== undefined && !done) view.update(describe(state));
    await Promise.race([result.catch(() => undefined), sleep(REFRESH_MS)]);
  }
  const finalState = await withTimeout(handle.query(query), QUERY_TIMEOUT_MS).catch(() => undefined);
  if (finalState !== undefined) view.update(describe(finalState).map((line) => ({ ...line, active: false })));
  return printOutcome(io, json, result, summarize);
}

/**
 * Prints how a run ended, for a workflow or a standalone activity alike: the result (as JSON, or
 * `summarize`d), or the typed failure its error carries as cause; resolves to the exit code.
 */
export async function printOutcome<Result>(
  io: CliOutput,
  json: boolean,
  result: Promise<Result>,
  summarize: (value: Result) => string,
): Promise<number> {
  try {
    const value = await result;
    io.out(json ? JSON.stringify({ status: 'succeeded', result: value }, null, 2) : summarize(value));
    return EXIT.ok;
  } catch (err) {
    const failure = failureOf(err);
    if (json) io.out(JSON.stringify({ status: 'failed', error: failure }, null, 2));
    io.err(`✖ ${failure.type ? `${failure.type}: ` : ''}${failure.message}`);
    return EXIT.failed;
  }
}

/** The failure's type and message: the typed cause of a failed workflow or activity, else the error itself. */
function failureOf(err: unknown): { type?: string; message: string } {
  if ((err instanceof WorkflowFailedError || err instanceof ActivityExecutionFailedError) && err.cause) {
    const cause = err.cause as Error & { type?: string };
    return { type: cause.type ?? cause.name, message: cause.message };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
