import { ActivityExecutionFailedError, WorkflowFailedError } from '@temporalio/client';

/**
 * One line for a failed run: a workflow's or a standalone activity's failure cause (`Type: message`), else
 * the error's message.
 */
export function describeError(err: unknown): string {
  if ((err instanceof WorkflowFailedError || err instanceof ActivityExecutionFailedError) && err.cause) {
    return `${err.cause.name}: ${err.cause.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
