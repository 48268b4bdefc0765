/**
 * The one-line texts the Temporal UI shows for runs, activities and timers. They carry ids, counts
 * and states only: summaries and details are readable by anyone who can see the namespace (a payload
 * codec, if any, encrypts them too, and the codec server decodes them for the UI), so never a payload
 * value, a result or a secret.
 */

/** A run's static summary: `Codika http-direct-messaging · pi_abc123`. */
export function executionSummary(input: { workflowId: string; processInstanceId: string }): string {
  return `Codika ${input.workflowId} · ${input.processInstanceId}`;
}

/** A run's static details (Markdown): what it runs and how it waits, fixed at start. */
export function executionStaticDetails(input: {
  workflowId: string;
  processInstanceId: string;
  poll?: { strategy?: string };
  triggerDelivery?: string;
  executionId?: string;
}): string {
  return [
    `- **Codika workflow** \`${input.workflowId}\``,
    `- **process instance** \`${input.processInstanceId}\``,
    input.executionId
      ? `- **attached to** \`${input.executionId}\` (started elsewhere: nothing is triggered)`
      : `- **trigger delivery** ${input.triggerDelivery ?? 'default (at-most-once)'}`,
    `- **polling** ${input.poll?.strategy ?? 'default (auto)'}`,
  ].join('\n');
}

/** A pipeline run's static summary: `Codika pipeline document-digest · 3 steps`. */
export function pipelineSummary(pipeline: { name?: string; steps: unknown[] }): string {
  const steps = pipeline.steps.length;
  return `Codika pipeline ${pipeline.name ?? '(unnamed)'} · ${steps} step${steps === 1 ? '' : 's'}`;
}
