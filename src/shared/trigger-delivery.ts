import { CodikaValidationError } from '../codika/errors';
import type { CodikaTriggerDelivery } from './execution-types';

/** Every `triggerDelivery`, the default first. */
export const TRIGGER_DELIVERIES = ['at-most-once', 'at-least-once'] as const satisfies readonly CodikaTriggerDelivery[];

/** A trigger whose outcome is unknown is not sent again unless the caller opts in. */
export const DEFAULT_TRIGGER_DELIVERY: CodikaTriggerDelivery = 'at-most-once';

/**
 * Checks a `triggerDelivery` option; absent means the default.
 *
 * @throws CodikaValidationError naming the choices when the value is not one of them.
 */
export function checkTriggerDelivery(value: unknown): CodikaTriggerDelivery {
  if (value === undefined) return DEFAULT_TRIGGER_DELIVERY;
  if (!(TRIGGER_DELIVERIES as readonly unknown[]).includes(value)) {
    throw new CodikaValidationError(
      'triggerDelivery',
      `${JSON.stringify(value) ?? String(value)} is not one of 'at-most-once' (the default: a trigger that may have ` +
        "reached Codika is never sent again) or 'at-least-once' (sent again with the same Idempotency-Key)",
    );
  }
  return value as CodikaTriggerDelivery;
}
