import { AUTH_MODES, type CodikaAuthMode } from './codika/auth';
import { CodikaValidationError } from './codika/errors';
import type { CodikaActivitiesOptions } from './activities/create-codika-activities';
import { DEFAULT_TASK_QUEUE } from './client/start-codika-execution';

/** Everything the runnable worker reads from its environment. */
export interface CodikaWorkerEnv {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  codika: CodikaActivitiesOptions;
}

/**
 * Reads the worker's settings from environment variables (see the README's configuration table).
 *
 * @throws CodikaValidationError naming the variable when one is malformed.
 */
export function readWorkerEnv(env: NodeJS.ProcessEnv): CodikaWorkerEnv {
  const mode = env.CODIKA_AUTH_MODE || undefined;
  if (mode !== undefined && !AUTH_MODES.includes(mode as CodikaAuthMode)) {
    throw new CodikaValidationError('CODIKA_AUTH_MODE', `"${mode}" is not one of ${AUTH_MODES.join(', ')}`);
  }
  return {
    temporalAddress: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.CODIKA_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    codika: {
      baseUrl: env.CODIKA_BASE_URL || undefined,
      authMode: mode as CodikaAuthMode | undefined,
      apiKey: env.CODIKA_API_KEY || undefined,
      apiKeys: parseKeyMap(env.CODIKA_API_KEYS),
      webhookSecret: env.CODIKA_WEBHOOK_SECRET || undefined,
      maxStatusChecksPerSecond: parseRate(env.CODIKA_MAX_STATUS_CHECKS_PER_SECOND),
    },
  };
}

function parseRate(raw: string | undefined): number | undefined {
  if (!raw) return undefined;
  const rate = raw === 'Infinity' ? Infinity : Number(raw);
  if (Number.isNaN(rate) || rate <= 0) {
    throw new CodikaValidationError(
      'CODIKA_MAX_STATUS_CHECKS_PER_SECOND',
      `"${raw}" is not a positive number (checks per second, or Infinity for no cap)`,
    );
  }
  return rate;
}

function parseKeyMap(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // The value holds keys: never echo it.
    throw new CodikaValidationError(
      'CODIKA_API_KEYS',
      'is not valid JSON; expected {"<processInstanceId>": "<api key>", …}',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CodikaValidationError('CODIKA_API_KEYS', 'must be a JSON object mapping processInstanceId to API key');
  }
  for (const [instance, key] of Object.entries(parsed)) {
    if (typeof key !== 'string' || key === '') {
      throw new CodikaValidationError('CODIKA_API_KEYS', `the key for "${instance}" must be a non-empty string`);
    }
  }
  return parsed as Record<string, string>;
}
