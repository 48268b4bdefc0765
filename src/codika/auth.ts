import { Webhook } from 'standardwebhooks';
import { signatureHeaders } from './webhook-signature';

/** How a request proves it may reach a Codika process instance. */
export type CodikaAuth =
  /** `X-API-Key` header: the default, and what the Codika docs show first. */
  | {
      /** Send the key in the `X-API-Key` header. */
      mode: 'header';
      /** The process instance's API key. */
      apiKey: string;
    }
  /** `?api_key=` query parameter, for platforms that cannot set headers. */
  | {
      /** Send the key as the `api_key` query parameter. */
      mode: 'query';
      /** The process instance's API key. */
      apiKey: string;
    }
  /** Standard Webhooks signature headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  | {
      /** Sign each trigger with Standard Webhooks headers. */
      mode: 'signature';
      /** The `whsec_…` secret the signatures are made with. */
      webhookSecret: string;
    };

/** Name of an auth mode, as configured on the worker (`CODIKA_AUTH_MODE`). */
export type CodikaAuthMode = CodikaAuth['mode'];

export const AUTH_MODES: readonly CodikaAuthMode[] = ['header', 'query', 'signature'];

/** The secret inside an auth value, so it can be redacted from anything we print. */
export function secretOf(auth: CodikaAuth): string {
  return auth.mode === 'signature' ? auth.webhookSecret : auth.apiKey;
}

/**
 * Adds credentials to an outgoing request: a header, a query parameter or signature headers over
 * the exact body bytes. A fresh `webhook-id` per request: receivers reject a replayed id, and
 * retries are distinct deliveries (idempotency is carried by `Idempotency-Key` instead).
 */
export function applyAuth(auth: CodikaAuth, url: URL, headers: Record<string, string>, body: string): void {
  switch (auth.mode) {
    case 'header':
      headers['X-API-Key'] = auth.apiKey;
      return;
    case 'query':
      url.searchParams.set('api_key', auth.apiKey);
      return;
    case 'signature':
      Object.assign(headers, signatureHeaders(new Webhook(auth.webhookSecret), body));
      return;
  }
}
