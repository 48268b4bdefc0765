import type { WorkflowHandle } from '@temporalio/client';

/** One execution of a scale batch, filled in as it is started, watched and read. */
export interface ScaleExecution {
  index: number;
  durationMs: number;
  startedAtMs?: number;
  handle?: WorkflowHandle;
  /** Unset while in flight (or never started, when the batch was stopped first). */
  outcome?: 'ok' | 'failed' | 'outcome-unknown' | 'stuck' | 'aborted' | 'start-failed';
  /** The server's close time of the run. */
  endedAtMs?: number;
  detectionMs?: number;
  triggerLagMs?: number;
  polls?: number;
  error?: string;
}
