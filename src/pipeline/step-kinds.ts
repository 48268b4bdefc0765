/**
 * Which kind a checked step is. Apart from `definition.ts` so workflow code can tell the kinds apart
 * without loading zod (see `src/workflows/lazy-schemas.ts`).
 */
import type { CodikaPipelineApprovalStep, CodikaPipelineStep } from './definition';

/** Whether a checked step waits for a person rather than running a Codika execution. */
export function isApprovalStep(step: CodikaPipelineStep): step is CodikaPipelineApprovalStep {
  return 'approval' in step && step.approval !== undefined;
}
