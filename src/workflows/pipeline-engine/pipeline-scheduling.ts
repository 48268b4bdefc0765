/**
 * Which pending steps of a pipeline may start, must wait, or will never run: the rules of
 * `dependsOn`, `when` and `runIfSkipped`, as pure functions of the steps' states.
 */
import type { CodikaPipelineStep } from '../../pipeline/definition';
import type { CodikaPipelineItemCounts, CodikaPipelineStepState } from '../../pipeline/pipeline-types';
import { utf8Length } from '../../shared/validation';

/** A step's status after which it will not run (again). */
const DID_NOT_SUCCEED = new Set(['failed', 'skipped', 'cancelled']);

/** What a pending step's dependencies say: wait, start (its `when` decides next), or skip it for good. */
export type DependencyVerdict =
  { kind: 'wait' } | { kind: 'ready' } | { kind: 'skip'; skippedBy: 'condition' | 'failure'; because: string };

/**
 * A dependency skipped by a condition stops the step unless it declares `runIfSkipped`; one that
 * failed, was cancelled, or was skipped because of a failure stops it whatever it declares.
 */
export function dependencyVerdict(
  step: CodikaPipelineStep,
  steps: Readonly<Record<string, CodikaPipelineStepState>>,
): DependencyVerdict {
  const dependsOn = step.dependsOn ?? [];
  const blockers = dependsOn.filter((dep) => DID_NOT_SUCCEED.has(steps[dep]!.status));
  const failed = blockers.find((dep) => steps[dep]!.skippedBy !== 'condition');
  // The same reason as before conditions existed, for the steps whose blocker failed.
  if (failed !== undefined) return { kind: 'skip', skippedBy: 'failure', because: `step "${failed}" did not succeed` };
  if (blockers.length > 0 && !step.runIfSkipped) {
    return { kind: 'skip', skippedBy: 'condition', because: `step "${blockers[0]}" was skipped by a condition` };
  }
  const done = dependsOn.every((dep) => steps[dep]!.status === 'succeeded' || blockers.includes(dep));
  return done ? { kind: 'ready' } : { kind: 'wait' };
}

/** A forEach step's items by where they are. */
export function countItems(items: readonly { status: string }[]): CodikaPipelineItemCounts {
  const counts: CodikaPipelineItemCounts = { total: items.length, done: 0, running: 0, failed: 0, left: 0 };
  for (const { status } of items) {
    if (status === 'succeeded' || status === 'compensating' || status === 'compensated') counts.done += 1;
    else if (status === 'running') counts.running += 1;
    else if (status === 'failed' || status === 'cancelled') counts.failed += 1;
    else counts.left += 1;
  }
  return counts;
}

/** Bytes of a value as JSON in UTF-8, as Temporal measures a payload (without its small envelope). */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? '');
}
