import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  log,
  defineQuery,
  defineSignal,
  defineUpdate,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { libraryPatched } from './library-patches';
import { setVersioningBehavior } from './versioning-behavior';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { validateId } from '../shared/validation';
import type {
  CodikaExecutionInput,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaStepProgress,
} from '../shared/execution-types';
import type { CodikaTriggeredExecution } from '../shared/activity-types';
import type { CodikaPollOptions } from '../shared/poll-options';
import { CODIKA_SEARCH_ATTRIBUTES, type CodikaStatusAttribute } from '../shared/search-attribute-keys';
import {
  EXECUTION_INPUT_KEYS,
  executeCodikaStep,
  executionDetails,
  initialStepState,
  invalid,
  resolvePollSettings,
  showingDetails,
  underPath,
  PollNowRequests,
  validateExecutionInput,
} from './execution';
import { installHandler as installOperatorAnswers } from './execution/operator-answers';

/** Input of {@link codikaExecutionWorkflow}. */
export interface CodikaExecutionWorkflowInput extends CodikaExecutionInput {
  /** How to wait for the result. */
  poll?: CodikaPollOptions;
  /**
   * Continue as new after this many status checks in one run, to bound history.
   * @default only when Temporal suggests it (history near its limit)
   */
  continueAsNewAfterPolls?: number;
  /** Set by the workflow itself when it continues as new: the execution to keep polling. */
  resume?: CodikaStepProgress;
}

/** Query: where the execution is (phase, executionId, polls, last status, next poll time). */
export const codikaExecutionStateQuery = defineQuery<CodikaExecutionState>('codikaExecutionState');

/**
 * Signal: check Codika's status now instead of at the next timer, e.g. when a Codika workflow
 * calls back at its end. Every strategy honours it; the `activity` and `retry` strategies check beside their own
 * loop and keep it running when the answer is still pending.
 */
export const codikaPollNowSignal = defineSignal('codikaPollNow');

/** What {@link codikaExecutionTriggeredUpdate} returns: the execution Codika accepted. */
export interface CodikaTriggeredRun {
  /** Codika's id of the execution. */
  executionId: string;
}

/**
 * Update: resolves as soon as Codika accepted the trigger, with its `executionId` (at once on a run
 * that already triggered, or one continued as new); fails with the trigger's own typed failure
 * (`CodikaTriggerOutcomeUnknown`, `CodikaAuthError`…) when the trigger fails. Sent with start by
 * `startCodikaExecution(client, input, { waitForTrigger: true })` for an early return.
 */
export const codikaExecutionTriggeredUpdate = defineUpdate<CodikaTriggeredRun, []>('codikaExecutionTriggered');

const KNOWN_KEYS = new Set<string>([...EXECUTION_INPUT_KEYS, 'poll', 'continueAsNewAfterPolls', 'resume']);

/**
 * Runs one Codika execution as its own workflow, one row in the Temporal UI. Continues as new when
 * history grows long, carrying the executionId forward: a continued run never triggers again.
 *
 * @throws the same failures as `runCodikaExecution`.
 */
export async function codikaExecutionWorkflow(input: CodikaExecutionWorkflowInput): Promise<CodikaExecutionResult> {
  const { poll, continueAsNewAfterPolls, resume, ...execution } = input ?? ({} as CodikaExecutionWorkflowInput);
  for (const key of Object.keys(input ?? {})) {
    if (!KNOWN_KEYS.has(key))
      throw invalid(`input.${key}`, `unknown field; expected one of ${[...KNOWN_KEYS].join(', ')}`);
  }
  const valid = validateExecutionInput(execution);
  const settings = resolvePollSettings(poll);
  if (
    continueAsNewAfterPolls !== undefined &&
    !(Number.isInteger(continueAsNewAfterPolls) && continueAsNewAfterPolls > 0)
  ) {
    throw invalid('input.continueAsNewAfterPolls', 'must be a positive integer');
  }
  if (resume !== undefined) validateResume(resume);

  const state = showingDetails(initialStepState(valid, resume), (current) => executionDetails(current, Date.now()));
  setHandler(codikaExecutionStateQuery, () => state);
  const pollNow = new PollNowRequests(resume?.pollNowRequested === true);
  setHandler(codikaPollNowSignal, () => pollNow.request());
  const pollsAtRunStart = state.polls;
  const indexing = new RunIndexing(valid.workflowId);
  installOperatorAnswers();
  let triggerFailure: ApplicationFailure | undefined;
  setHandler(codikaExecutionTriggeredUpdate, async () => {
    await condition(() => state.executionId !== undefined || triggerFailure !== undefined);
    if (state.executionId !== undefined) return { executionId: state.executionId };
    throw triggerFailure!;
  });

  try {
    const result = await executeCodikaStep(valid, settings, state, {
      resume,
      pollNow,
      afterTrigger: (triggered) => indexing.triggered(triggered.executionId, triggered.runIndex),
      awaitingOperator: (waiting, runIndex) => indexing.awaitingOperator(waiting, runIndex),
      afterPoll: (progress) => continueWhenLong(progress),
      permitOwner: { name: 'execution', followsContinueAsNew: true },
    });
    indexing.ended('success');
    return result;
  } catch (err) {
    if (state.executionId === undefined) {
      // Whoever waits for the trigger gets its failure, typed, before the run ends with it.
      triggerFailure =
        err instanceof ApplicationFailure
          ? err
          : ApplicationFailure.create({
              message: err instanceof Error ? err.message : String(err),
              nonRetryable: true,
            });
      // A cancelled run ends as it always did: the waiting update is cancelled with it.
      if (!isCancellation(err)) await condition(allHandlersFinished);
    }
    if (isCancellation(err) && state.executionId !== undefined) recordLeftRunning(state.executionId);
    // Continuing as new is not an end: the next run carries the attributes on.
    if (!(err instanceof ContinueAsNew)) {
      indexing.ended(isCancellation(err) ? 'cancelled' : state.phase === 'timed_out' ? 'timed_out' : 'failed');
    }
    throw err;
  }

  async function continueWhenLong(progress: CodikaStepProgress): Promise<void> {
    const pollsThisRun = progress.polls - pollsAtRunStart;
    const tooLong = continueAsNewAfterPolls !== undefined && pollsThisRun >= continueAsNewAfterPolls;
    if (tooLong || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      // The payload was only needed for the trigger; leaving it out keeps every later run's history small.
      // The strategy is pinned, so a default that changes later never switches a running execution.
      // Memo and search attributes carry over on their own.
      await continueAsNew<typeof codikaExecutionWorkflow>({
        ...input,
        payload: undefined,
        poll: { ...poll, strategy: settings.strategy },
        // A wake-up that came during the last check is not lost to the new run.
        resume: pollNow.requested ? { ...progress, pollNowRequested: true } : progress,
      });
    }
  }
}

/**
 * On a worker with Worker Deployment Versioning, a running codikaExecutionWorkflow moves to the current version
 * at its next workflow task: runs last as long as Codika's executions (days, with a long deadline or
 * an approval), and pinning would keep every old worker up that long. The library's `patched()`
 * discipline and the replay of recorded histories make each version safe for the runs of the one before
 * (docs/deploys.md). A run that continues as new is auto-upgrade too. Unversioned workers run it as before.
 */
setVersioningBehavior('AUTO_UPGRADE', codikaExecutionWorkflow);

/**
 * Codika has no cancel endpoint: a run cancelled while its execution runs (by a person, a parent, or
 * a Nexus caller) says which execution it left, in its memo (`codikaLeftRunning`, as a pipeline does)
 * and in the worker's log. Guarded by a `patched` marker: runs recorded before this never wrote it.
 */
function recordLeftRunning(executionId: string): void {
  if (!libraryPatched('codika-left-running')) return;
  upsertMemo({ codikaLeftRunning: executionId });
  log.warn('codikaExecutionWorkflow cancelled: the Codika execution keeps running', { executionId });
}

/**
 * The Codika executionId in the run's memo, and the Codika search attributes the namespace has, so
 * people find a run from Codika's side and filter runs by status. The trigger's answer says which
 * attributes exist (`runIndex`); a `patched` marker keeps runs recorded before this from changing.
 */
class RunIndexing {
  /** Which search attributes to set; a continued run finds them set by its first run. */
  private registered: Set<string>;

  constructor(private readonly codikaWorkflowId: string) {
    const carried = workflowInfo().typedSearchAttributes;
    this.registered = new Set(
      Object.values(CODIKA_SEARCH_ATTRIBUTES)
        .filter((key) => carried.get(key) !== undefined)
        .map((key) => key.name),
    );
  }

  triggered(executionId: string, runIndex: CodikaTriggeredExecution['runIndex']): void {
    // Asked here, in the same workflow task as the commands it guards: a worker whose code predates
    // indexing, or a history it wrote, never meets a memo or an attribute update it did not make.
    if (!libraryPatched('codika-run-index')) return;
    upsertMemo({ codikaExecutionId: executionId });
    // Without one (a step that attached, or polls what an operator named), what the run learnt stays.
    if (runIndex) this.registered = new Set(runIndex.searchAttributes);
    this.upsert([
      { key: CODIKA_SEARCH_ATTRIBUTES.executionId, value: executionId },
      { key: CODIKA_SEARCH_ATTRIBUTES.workflowId, value: this.codikaWorkflowId },
      { key: CODIKA_SEARCH_ATTRIBUTES.status, value: 'pending' },
    ]);
  }

  /** Operators list the runs that wait for them with `CodikaStatus = "awaiting_operator"`. */
  awaitingOperator(waiting: boolean, runIndex: CodikaTriggeredExecution['runIndex']): void {
    if (runIndex) this.registered = new Set(runIndex.searchAttributes);
    this.upsert([{ key: CODIKA_SEARCH_ATTRIBUTES.status, value: waiting ? 'awaiting_operator' : 'pending' }]);
  }

  ended(status: CodikaStatusAttribute): void {
    this.upsert([{ key: CODIKA_SEARCH_ATTRIBUTES.status, value: status }]);
  }

  private upsert(pairs: SearchAttributeUpdatePair[]): void {
    const known = pairs.filter((pair) => this.registered.has(pair.key.name));
    if (known.length > 0) upsertSearchAttributes(known);
  }
}

/** `resume` is written by the workflow itself, but input is input: a bad one must fail the run, not loop its task. */
function validateResume(resume: CodikaStepProgress): void {
  if (typeof resume !== 'object' || resume === null)
    throw invalid('input.resume', 'expected the progress object a continued run carries');
  underPath('input.resume', () => validateId('executionId', resume.executionId));
  for (const field of ['polls', 'startedAtMs', 'deadlineAtMs', 'nextIntervalMs'] as const) {
    const value = resume[field];
    const ok = typeof value === 'number' && Number.isFinite(value) && (field === 'polls' ? value >= 0 : value > 0);
    if (!ok)
      throw invalid(
        `input.resume.${field}`,
        `must be a ${field === 'polls' ? 'non-negative' : 'positive'} finite number`,
      );
  }
}
