import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { validateId } from '../codika/validation';
import type {
  CodikaExecutionInput,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaPollOptions,
} from '../common/execution-types';
import { executeCodikaStep, initialStepState, type CodikaStepProgress } from './codika-step';
import { invalid, resolvePollSettings } from './poll-settings';
import { underPath, validateExecutionInput } from './validate-input';

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

const KNOWN_KEYS = new Set(['processInstanceId', 'workflowId', 'payload', 'poll', 'continueAsNewAfterPolls', 'resume']);

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
  const valid = validateExecutionInput(execution) as Required<CodikaExecutionInput>;
  const settings = resolvePollSettings(poll);
  if (
    continueAsNewAfterPolls !== undefined &&
    !(Number.isInteger(continueAsNewAfterPolls) && continueAsNewAfterPolls > 0)
  ) {
    throw invalid('input.continueAsNewAfterPolls', 'must be a positive integer');
  }
  if (resume !== undefined) validateResume(resume);

  const state = initialStepState(valid, resume);
  setHandler(codikaExecutionStateQuery, () => state);
  const pollNow = { requested: false };
  setHandler(codikaPollNowSignal, () => void (pollNow.requested = true));
  const pollsAtRunStart = state.polls;

  return executeCodikaStep(valid, settings, state, {
    resume,
    pollNow,
    async afterPoll(progress) {
      const pollsThisRun = progress.polls - pollsAtRunStart;
      const tooLong = continueAsNewAfterPolls !== undefined && pollsThisRun >= continueAsNewAfterPolls;
      if (tooLong || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        // The payload was only needed for the trigger; leaving it out keeps every later run's history small.
        // The strategy is pinned, so a default that changes later never switches a running execution.
        await continueAsNew<typeof codikaExecutionWorkflow>({
          ...input,
          payload: undefined,
          poll: { ...poll, strategy: settings.strategy },
          resume: progress,
        });
      }
    },
  });
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
