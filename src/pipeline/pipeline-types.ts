import type { CodikaPipelineDefinition } from './definition';
import type { CodikaExecutionResult, CodikaStepProgress } from '../shared/execution-types';

/** Input of `codikaPipelineWorkflow`. */
export interface CodikaPipelineInput {
  /** The definition to run; checked again before the first trigger. */
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
 * @inline
 */
export interface CodikaPipelineResume {
  /** Every step's state, by step id. */
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
  /** See {@link CodikaPipelineStepStatus}. */
  status: CodikaPipelineStepStatus;
  /** The Codika workflowTemplateId the step triggers. */
  workflowId: string;
  /** The process instance it runs in: its own, or the pipeline's. */
  processInstanceId: string;
  /** Codika's id of its execution, once triggered. */
  executionId?: string;
  /** Status checks made so far. */
  polls: number;
  /** The last status Codika reported. */
  lastStatus?: string;
  /** ISO time the step started. */
  startedAt?: string;
  /** ISO time the step ended. */
  endedAt?: string;
  /** Why it failed or was skipped. */
  error?: string;
  /** Its compensation, once one ran. */
  compensation?: { status: 'running' | 'succeeded' | 'failed'; executionId?: string; error?: string };
}

/** The pipeline as the `codikaPipelineState` query returns it. */
export interface CodikaPipelineState {
  /** `compensating` while the compensations of succeeded steps run after a failure. */
  phase: 'running' | 'compensating' | 'succeeded' | 'failed' | 'cancelled';
  /** Step ids in an order that respects `dependsOn`. */
  order: string[];
  /** Each step's state, by step id. */
  steps: Record<string, CodikaPipelineStepState>;
  /** Codika executions still running when the pipeline was cancelled. */
  leftRunning: { stepId: string; executionId: string }[];
}

/** What a pipeline returns: each succeeded step's `resultData`, and every step's final state. */
export interface CodikaPipelineResult {
  /** Each succeeded step's `resultData`, by step id. */
  outputs: Record<string, unknown>;
  /** Every step's final state, by step id. */
  steps: Record<string, CodikaPipelineStepState>;
}
