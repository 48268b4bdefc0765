import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { CodikaValidationError } from '../shared/errors';

/**
 * Checks a Standard Webhooks secret once, up front, so a typo fails at start rather than on
 * every request.
 *
 * @throws CodikaValidationError naming `field` when the secret is not `whsec_` followed by base64.
 */
export function webhookFor(field: string, secret: string): Webhook {
  try {
    return new Webhook(secret);
  } catch {
    throw new CodikaValidationError(field, 'is not a Standard Webhooks secret: expected "whsec_" followed by base64');
  }
}

/**
 * Signature headers over the exact body bytes, with a fresh `webhook-id`: receivers reject a
 * replayed id, so every delivery, retries included, needs its own.
 */
export function signatureHeaders(webhook: Webhook, body: string): Record<string, string> {
  const id = `msg_${randomUUID()}`;
  const timestamp = new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, timestamp, body),
  };
}

/** Replayed ids are refused; the memory of seen ones is bounded. */
const REMEMBERED_MESSAGE_IDS = 10_000;

/**
 * Verifies signed requests: signature, timestamp tolerance (the `standardwebhooks` default of
 * 5 minutes) and replays of a `webhook-id` already accepted.
 */
export class SignedRequestVerifier {
  private readonly seen = new Set<string>();

  constructor(private readonly webhook: Webhook) {}

  /** Returns why the request is refused, or undefined when it is genuine and new. */
  verify(body: string, headers: Record<string, string | string[] | undefined>): string | undefined {
    const first = (name: string) => {
      const value = headers[name];
      return (Array.isArray(value) ? value[0] : value) ?? '';
    };
    const id = first('webhook-id');
    try {
      this.webhook.verify(body, {
        'webhook-id': id,
        'webhook-timestamp': first('webhook-timestamp'),
        'webhook-signature': first('webhook-signature'),
      });
    } catch (err) {
      return `Invalid webhook signature: ${(err as Error).message}`;
    }
    if (this.seen.has(id)) return `Replayed webhook-id ${id}`;
    this.seen.add(id);
    if (this.seen.size > REMEMBERED_MESSAGE_IDS) this.seen.delete(this.seen.values().next().value as string);
    return undefined;
  }
}
