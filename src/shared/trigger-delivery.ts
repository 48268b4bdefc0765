import { CodikaValidationError } from './errors';

/** Every `triggerDelivery`, the default first. */
export const TRIGGER_DELIVERIES = ['at-most-once', 'at-least-once'] as const;

/**
 * What the step does when a trigger may have reached Codika but no usable answer came back (a
 * `502`, a reset after sending, a worker that died mid-request):
 * - `at-most-once`: never send it again; the step fails with `CodikaTriggerOutcomeUnknown`, whose
 *   details carry the `Idempotency-Key` to look the execution up. Triggers that provably started
 *   nothing (`429`, `503`, connection refused…) are still retried.
 * - `at-least-once`: send it again with the same `Idempotency-Key`. Codika documents no such
 *   header: unless it deduplicates, a lost answer means a second execution.
 */
export type CodikaTriggerDelivery = (typeof TRIGGER_DELIVERIES)[number];

/** Every `onTriggerOutcomeUnknown`, the default first; see `CodikaOnTriggerOutcomeUnknown`. */
export const ON_TRIGGER_OUTCOME_UNKNOWN = ['fail', 'ask'] as const;

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
