import type { CodikaPipelineDefinition } from '../pipeline/definition';

/** Input of `codikaPipelineWorkflow`. */
export interface CodikaPipelineInput {
  pipeline: CodikaPipelineDefinition;
  /** What templates read as `input`. @default {} */
  input?: unknown;
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
