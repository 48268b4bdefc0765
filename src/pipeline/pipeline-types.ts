import type { CodikaPipelineDefinition } from './definition';
import type { CodikaExecutionResult, CodikaStepProgress } from '../shared/execution-types';

/** Input of `codikaPipelineWorkflow`. */
export interface CodikaPipelineInput {
  pipeline: CodikaPipelineDefinition;
  /** What templates read as `input`. @default {} */
  input?: unknown;
  /** Set by the workflow itself when it continues as new: where every step was. */
  resume?: CodikaPipelineResume;
}

/**
 * What a pipeline carries into its next run when its history grows long: every step's state, the
 * results so far, and where each step that was polling stands (it resumes from its executionId,
 * never triggering again).
 */
export interface CodikaPipelineResume {
  steps: Record<string, CodikaPipelineStepState>;
  /** `resultData` and executionId of each succeeded step, in the order they finished. */
  finished: { stepId: string; result: CodikaExecutionResult }[];
  /** Steps that were polling, and where. */
  polling: Record<string, CodikaStepProgress>;
}

/**
 * Where a step is. `skipped`: a step it depends on did not succeed, or an earlier failure stopped
 * the pipeline before it started. `cancelled`: the pipeline was cancelled while it ran (its Codika
 * execution may still be running: Codika has no cancel endpoint).
 */
export type CodikaPipelineStepStatus =
  'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'compensating' | 'compensated' | 'cancelled';

/** One step as the state query and the result show it: ids, counts, times, no payload. */
export interface CodikaPipelineStepState {
  status: CodikaPipelineStepStatus;
  workflowId: string;
  processInstanceId: string;
  executionId?: string;
  polls: number;
  lastStatus?: string;
  startedAt?: string;
  endedAt?: string;
  /** Why it failed or was skipped. */
  error?: string;
  /** Its compensation, once one ran. */
  compensation?: { status: 'running' | 'succeeded' | 'failed'; executionId?: string; error?: string };
}

/** The pipeline as the `codikaPipelineState` query returns it. */
export interface CodikaPipelineState {
  phase: 'running' | 'compensating' | 'succeeded' | 'failed' | 'cancelled';
  /** Step ids in an order that respects `dependsOn`. */
  order: string[];
  steps: Record<string, CodikaPipelineStepState>;
  /** Codika executions still running when the pipeline was cancelled. */
  leftRunning: { stepId: string; executionId: string }[];
}

/** What a pipeline returns: each succeeded step's `resultData`, and every step's final state. */
export interface CodikaPipelineResult {
  outputs: Record<string, unknown>;
  steps: Record<string, CodikaPipelineStepState>;
}
