import { log, metricMeter } from '@temporalio/workflow';
import type { CheckedExecutionInput } from '../../shared/execution-types';

/** How a Codika execution ended. */
export type StepOutcome = 'succeeded' | 'failed' | 'timed_out';

/** What is known when a step ends; never a payload or a result. */
export interface StepEnd {
  executionId?: string;
  polls: number;
  /** Codika's error message, or why a call was refused. */
  error?: string;
}

/**
 * Tells the world about one Codika execution's life, once (neither logs nor metrics repeat when a
 * worker replays the history):
 * - log lines through the workflow logger, which adds the workflow id and run id; each line has
 *   the Codika executionId once there is one;
 * - metrics through the workflow's meter: `codika_executions_started`,
 *   `codika_executions_{succeeded,failed,timed_out}` and `codika_time_to_result` (ms from the step's
 *   start, just before its trigger, across continue-as-new), tagged with the Codika workflow id.
 */
export function stepReport(input: CheckedExecutionInput, startedAtMs: number) {
  const meter = metricMeter.withTags({ codika_workflow_id: input.workflowId });
  const ids = { codikaWorkflowId: input.workflowId, processInstanceId: input.processInstanceId };
  return {
    triggered(executionId: string): void {
      meter.createCounter('codika_executions_started', '1', 'Codika executions triggered').add(1);
      log.info('Codika execution triggered', { ...ids, executionId });
    },
    ended(outcome: StepOutcome, end: StepEnd): void {
      const elapsedMs = Math.max(0, Date.now() - startedAtMs);
      meter.createCounter(`codika_executions_${outcome}`, '1', `Codika executions that ended ${outcome}`).add(1);
      meter
        .createHistogram(
          'codika_time_to_result',
          'int',
          'ms',
          'From the step start (its trigger) to the terminal state',
        )
        .record(elapsedMs);
      const line = outcome === 'succeeded' ? log.info : log.warn;
      line(`Codika execution ${outcome.replace('_', ' ')}`, { ...ids, ...end, elapsedMs });
    },
  };
}
