import { continueAsNew, defineQuery, setHandler, workflowInfo } from '@temporalio/workflow';
import { validateId } from '../codika/validation';
import type {
  CodikaExecutionInput,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaPollOptions,
} from '../common/execution-types';
import { executeCodikaStep, initialStepState, type CodikaStepProgress } from './codika-step';
import { invalid, resolvePollSettings } from './poll-settings';
import { validateExecutionInput } from './validate-input';

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
  if (resume) validateId('executionId', resume.executionId);

  const state = initialStepState(valid, resume);
  setHandler(codikaExecutionStateQuery, () => state);
  const pollsAtRunStart = state.polls;

  return executeCodikaStep(valid, settings, state, {
    resume,
    async afterPoll(progress) {
      const pollsThisRun = progress.polls - pollsAtRunStart;
      const tooLong = continueAsNewAfterPolls !== undefined && pollsThisRun >= continueAsNewAfterPolls;
      if (tooLong || workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof codikaExecutionWorkflow>({ ...input, resume: progress });
      }
    },
  });
}
