import type { WorkflowFailedError, WorkflowHandle } from '@temporalio/client';
import type { CodikaExecutionResult } from '../../src';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../src/shared/errors';
import type { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';

/** What a run must end with: Codika's result data, or its failure message. */
export type ExpectedEnd = { resultData: unknown } | { failedWith: string };

/** How the runs of one scenario ended, against what each should have ended with. */
export interface Tally {
  executions: number;
  /** Runs that did not end as expected (or did not end in time). */
  lost: number;
  /** Codika executions started beyond one per run. */
  duplicates: number;
  /** Runs that ended `CodikaTriggerOutcomeUnknown` (a typed end, not a lost run: at-most-once delivery). */
  outcomeUnknown: number;
  /** Runs that ended with no Codika execution at all. */
  noExecution: number;
  succeeded: number;
  failedAsScripted: number;
  /** A few descriptions of what went wrong, for the test's failure message. */
  problems: string[];
}

/**
 * Awaits every run (at most `timeoutMs` in all) and compares its end with the expected one, and
 * counts the Codika executions each started on the mock (`codikaWorkflowIds[i]` belongs to `handles[i]`).
 * A run that ends `CodikaTriggerOutcomeUnknown` is counted apart: a typed end that at-most-once
 * delivery allows, and never with more than one execution.
 */
export async function tallyOutcomes(
  handles: WorkflowHandle[],
  expected: ExpectedEnd[],
  codikaWorkflowIds: string[],
  mock: MockCodikaServer,
  timeoutMs: number,
): Promise<Tally> {
  const tally: Tally = {
    executions: handles.length,
    lost: 0,
    duplicates: 0,
    outcomeUnknown: 0,
    noExecution: 0,
    succeeded: 0,
    failedAsScripted: 0,
    problems: [],
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const ends = await Promise.all(
    handles.map((handle) =>
      Promise.race([
        (handle.result() as Promise<CodikaExecutionResult>).then(
          (result) => ({ ok: true as const, result }),
          (err: unknown) => ({ ok: false as const, cause: (err as WorkflowFailedError).cause ?? (err as Error) }),
        ),
        late,
      ]),
    ),
  );
  clearTimeout(timer);
  ends.forEach((end, i) => {
    const want = expected[i]!;
    const problem = (what: string) => {
      tally.lost += 1;
      if (tally.problems.length < 5) tally.problems.push(`${handles[i]!.workflowId}: ${what}`);
    };
    const executions = mock.executionsOf(codikaWorkflowIds[i]!).length;
    if (end === 'late') problem(`no end within ${timeoutMs / 1000} s`);
    else if (!end.ok && (end.cause as { type?: string }).type === CODIKA_TRIGGER_OUTCOME_UNKNOWN) {
      tally.outcomeUnknown += 1;
      if (executions > 1) problem(`${executions} executions, yet it ended with an unknown trigger outcome`);
    } else if ('resultData' in want) {
      if (!end.ok) problem(`failed: ${end.cause.message}`);
      else if (JSON.stringify(end.result.resultData) !== JSON.stringify(want.resultData))
        problem(`wrong result ${JSON.stringify(end.result.resultData)}`);
      else tally.succeeded += 1;
    } else if (end.ok) problem('succeeded, but Codika failed it');
    else if (!end.cause.message.includes(want.failedWith)) problem(`wrong failure: ${end.cause.message}`);
    else tally.failedAsScripted += 1;
    tally.duplicates += Math.max(executions - 1, 0);
    if (executions === 0) tally.noExecution += 1;
  });
  return tally;
}
