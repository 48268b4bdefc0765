/**
 * Sizes a pipeline run checks before Temporal's 2 MB payload limit bites. Over it, the server refuses
 * the command and fails the workflow task again and again: a continue-as-new input that large leaves
 * the run stuck, a result that large leaves it stuck or terminated, with no saga and no typed failure.
 */
import { CODIKA_RESULT_TOO_LARGE } from '../../shared/errors';
import { nonRetryableFailure } from '../../shared/failures';
import { TEMPORAL_PAYLOAD_LIMIT_BYTES } from '../../shared/validation';
import type { CodikaPipelineResult, CodikaPipelineStepState } from '../../pipeline/pipeline-types';
import { jsonBytes } from './pipeline-scheduling';

/**
 * What a run may put in one payload: the limit, less room for what the estimate leaves out (the
 * executions that poll, each a few hundred bytes) and for the payload's own envelope.
 */
export const PAYLOAD_BUDGET_BYTES = TEMPORAL_PAYLOAD_LIMIT_BYTES - 128 * 1024;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/**
 * A pipeline's result: each succeeded step's output, and each step's final state without its forEach
 * items (their counts stay; the state query, which answers after the run closed too, lists them).
 */
export function pipelineResult(
  outputs: Record<string, unknown>,
  steps: Record<string, CodikaPipelineStepState>,
): CodikaPipelineResult {
  const lean: Record<string, CodikaPipelineStepState> = {};
  for (const [id, step] of Object.entries(steps)) {
    const rest = { ...step };
    delete rest.items;
    lean[id] = rest;
  }
  return { outputs, steps: lean };
}

/** The failure of a pipeline whose result is over the budget, naming the outputs that weigh most. */
export function resultTooLarge(result: CodikaPipelineResult, bytes: number): { stepId: string; error: Error } {
  const heaviest = Object.entries(result.outputs)
    .map(([stepId, output]) => ({ stepId, bytes: jsonBytes(output) }))
    .sort((a, b) => b.bytes - a.bytes);
  const named = heaviest
    .slice(0, 3)
    .map(({ stepId, bytes: b }) => `${stepId} (${megabytes(b)})`)
    .join(', ');
  return {
    stepId: heaviest[0]?.stepId ?? Object.keys(result.steps)[0]!,
    error: nonRetryableFailure(
      CODIKA_RESULT_TOO_LARGE,
      `its result (the outputs and each step's state) takes ${megabytes(bytes)} as JSON, over the ${megabytes(PAYLOAD_BUDGET_BYTES)} a result may take (Temporal's payload limit is 2 MB); largest outputs: ${named}. Have the Codika workflows return less (an id to fetch the rest from)`,
      { bytes, limitBytes: PAYLOAD_BUDGET_BYTES, largest: heaviest.slice(0, 3) },
    ),
  };
}
