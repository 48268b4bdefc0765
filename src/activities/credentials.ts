import { AUTH_MODES, type CodikaAuth, type CodikaAuthMode } from '../codika/auth';
import { CodikaValidationError } from '../shared/errors';
import { webhookFor } from '../codika/webhook-signature';
import { CodikaCredentialsMissingError } from './errors';

/** Credentials the worker holds. Workflows only ever name a process instance. */
export interface CodikaCredentials {
  /** How requests authenticate. @default 'signature' when only `webhookSecret` is set, else 'header' */
  authMode?: CodikaAuthMode;
  /** Key used for any process instance without its own entry in `apiKeys`. */
  apiKey?: string;
  /** Keys per process instance (Codika keys are scoped to one instance). */
  apiKeys?: Record<string, string>;
  /** Standard Webhooks secret (`whsec_…`) for the `signature` mode. */
  webhookSecret?: string;
}

/**
 * Checks credentials once, when activities are created, and returns the per-instance resolver.
 *
 * @throws CodikaValidationError when the mode is unknown or has no credential to use.
 */
export function credentialResolver(credentials: CodikaCredentials): (processInstanceId: string) => CodikaAuth {
  const { apiKey, apiKeys = {}, webhookSecret } = credentials;
  const mode =
    credentials.authMode ?? (webhookSecret && !apiKey && Object.keys(apiKeys).length === 0 ? 'signature' : 'header');
  if (!AUTH_MODES.includes(mode)) {
    throw new CodikaValidationError('authMode', `"${String(mode)}" is not one of ${AUTH_MODES.join(', ')}`);
  }
  if (mode === 'signature') {
    if (!webhookSecret) {
      throw new CodikaValidationError(
        'webhookSecret',
        'is required when authMode is "signature" (CODIKA_WEBHOOK_SECRET)',
      );
    }
    webhookFor('webhookSecret', webhookSecret);
    return () => ({ mode, webhookSecret });
  }
  if (!apiKey && Object.keys(apiKeys).length === 0) {
    throw new CodikaValidationError(
      'apiKey',
      `set apiKey or apiKeys (CODIKA_API_KEY or CODIKA_API_KEYS): authMode "${mode}" sends an API key`,
    );
  }
  checkHeaderSafe('apiKey', apiKey);
  for (const [instance, key] of Object.entries(apiKeys)) checkHeaderSafe(`apiKeys["${instance}"]`, key);
  return (processInstanceId) => {
    const key = Object.hasOwn(apiKeys, processInstanceId) ? apiKeys[processInstanceId] : apiKey;
    if (!key) throw new CodikaCredentialsMissingError(processInstanceId);
    return { mode, apiKey: key };
  };
}

/** Every secret the credentials hold, for redaction. */
export function allSecrets(credentials: CodikaCredentials): string[] {
  return [credentials.apiKey, credentials.webhookSecret, ...Object.values(credentials.apiKeys ?? {})].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

/** A key with a space, newline or non-ASCII character would make every request fail as a network error. */
function checkHeaderSafe(field: string, key: string | undefined): void {
  if (key !== undefined && !/^[\x21-\x7e]+$/.test(key)) {
    throw new CodikaValidationError(
      field,
      'must be printable ASCII without spaces (check for a stray newline or quote)',
    );
  }
}
