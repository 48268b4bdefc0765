import { AUTH_MODES, type CodikaAuthMode } from '../codika/auth';
import { CodikaValidationError } from '../shared/errors';
import type { CodikaActivitiesOptions } from '../activities/create-codika-activities';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import { loadContractsModule } from './contracts-module';
import { deploymentFromEnv, type CodikaWorkerDeployment } from './worker-deployment';
import { temporalConnectSettings, type TemporalConnectSettings } from '../client/temporal-connection';

/** Everything the runnable worker reads from its environment. */
export interface CodikaWorkerEnv {
  /** From Temporal's standard environment configuration (see {@link temporalConnectSettings}). */
  temporal: TemporalConnectSettings;
  taskQueue: string;
  codika: CodikaActivitiesOptions;
  /** `host:port` to serve Prometheus metrics on (`/metrics`); off when absent. */
  metricsAddress?: string;
  /** Export OpenTelemetry traces (OTLP over HTTP, `OTEL_EXPORTER_OTLP_*`); off when absent. */
  tracing?: boolean;
  /** Worker Deployment Versioning (`TEMPORAL_DEPLOYMENT_NAME`, `TEMPORAL_WORKER_BUILD_ID`); off when absent. */
  deployment?: CodikaWorkerDeployment;
}

/**
 * Reads the worker's settings from environment variables (see docs/environment.md).
 *
 * @throws CodikaValidationError naming the variable when one is malformed.
 */
export function readWorkerEnv(env: NodeJS.ProcessEnv): CodikaWorkerEnv {
  const mode = env.CODIKA_AUTH_MODE || undefined;
  if (mode !== undefined && !AUTH_MODES.includes(mode as CodikaAuthMode)) {
    throw new CodikaValidationError('CODIKA_AUTH_MODE', `"${mode}" is not one of ${AUTH_MODES.join(', ')}`);
  }
  return {
    temporal: temporalConnectSettings(env),
    taskQueue: env.CODIKA_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    codika: {
      baseUrl: env.CODIKA_BASE_URL || undefined,
      authMode: mode as CodikaAuthMode | undefined,
      apiKey: env.CODIKA_API_KEY || undefined,
      apiKeys: parseKeyMap(env.CODIKA_API_KEYS),
      webhookSecret: env.CODIKA_WEBHOOK_SECRET || undefined,
      maxStatusChecksPerSecond: parseRate(env.CODIKA_MAX_STATUS_CHECKS_PER_SECOND),
      requestTimeoutMs: parseMilliseconds('CODIKA_REQUEST_TIMEOUT_MS', env.CODIKA_REQUEST_TIMEOUT_MS),
      contracts: env.CODIKA_CONTRACTS_MODULE ? loadContractsModule(env.CODIKA_CONTRACTS_MODULE) : undefined,
    },
    metricsAddress: parseMetricsAddress(env.CODIKA_METRICS_ADDRESS),
    tracing: parseSwitch('CODIKA_TRACING', env.CODIKA_TRACING),
    deployment: deploymentFromEnv(env),
  };
}

/** `9464` (every interface, as exporters usually listen) or `host:port`. */
function parseMetricsAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const address = /^\d+$/.test(raw) ? `0.0.0.0:${raw}` : raw;
  const port = Number(/:(\d+)$/.exec(address)?.[1]);
  if (!(Number.isInteger(port) && port > 0 && port < 65_536)) {
    throw new CodikaValidationError(
      'CODIKA_METRICS_ADDRESS',
      `"${raw}" is not a port or host:port (e.g. 9464 or 127.0.0.1:9464)`,
    );
  }
  return address;
}

function parseSwitch(name: string, raw: string | undefined): boolean | undefined {
  if (!raw) return undefined;
  if (['1', 'true', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'off'].includes(raw.toLowerCase())) return false;
  throw new CodikaValidationError(name, `"${raw}" is not on or off (1/0, true/false)`);
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

function parseMilliseconds(name: string, raw: string | undefined): number | undefined {
  if (!raw) return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new CodikaValidationError(name, `"${raw}" is not a positive whole number of milliseconds`);
  }
  return ms;
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
