import type { CodikaTriggerDelivery } from '../../src/shared/trigger-delivery';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../src/shared/errors';

/** What a trigger fault tells the client about Codika's side (see `src/codika/trigger-outcome.ts`). */
export type TriggerFaultClass = 'not accepted' | 'outcome unknown' | 'refused';

/** One trigger fault as the tests script it: its class, and whether Codika created the execution first. */
export interface TriggerFaultCase {
  class: TriggerFaultClass;
  /** The execution was created before the fault struck. */
  afterAcceptance: boolean;
  /** The failure type a refused trigger ends with. */
  refusedAs?: string;
}

/**
 * What the design promises for one trigger fault: how the step ends (`type` undefined for success)
 * and how many executions Codika runs.
 */
export function expectedTriggerEnd(
  fault: TriggerFaultCase,
  delivery: CodikaTriggerDelivery,
  keyHonoured: boolean,
): { type?: string; executions: number } {
  switch (fault.class) {
    case 'refused':
      return { type: fault.refusedAs, executions: 0 };
    case 'not accepted':
      return { executions: 1 };
    case 'outcome unknown':
      if (delivery === 'at-most-once') {
        return { type: CODIKA_TRIGGER_OUTCOME_UNKNOWN, executions: fault.afterAcceptance ? 1 : 0 };
      }
      return { executions: fault.afterAcceptance && !keyHonoured ? 2 : 1 };
  }
}
