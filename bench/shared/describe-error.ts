import { WorkflowFailedError } from '@temporalio/client';

/** One line for a failed run: a workflow failure's cause (`Type: message`), else the error's message. */
export function describeError(err: unknown): string {
  if (err instanceof WorkflowFailedError && err.cause) return `${err.cause.name}: ${err.cause.message}`;
  return err instanceof Error ? err.message : String(err);
}
