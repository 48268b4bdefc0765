import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { CodikaValidationError } from '../shared/errors';

/** Where a local dev server listens (`npm run demo`, `temporal server start-dev`). */
export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

/** How to reach Temporal: connection options for a client or a worker, and the namespace. */
export interface TemporalConnectSettings {
  /** For `Connection.connect` or `NativeConnection.connect`: address, TLS, API key, gRPC metadata. */
  connectionOptions: NativeConnectionOptions & { address: string };
  namespace: string;
  /** For messages: the address and how it authenticates, never a key. */
  description: string;
}

/**
 * Temporal's standard environment configuration, as every Temporal SDK and the `temporal` CLI read
 * it: a profile (`TEMPORAL_PROFILE`, default `default`) from the TOML file at `TEMPORAL_CONFIG_FILE`
 * (else `~/.config/temporalio/temporal.toml`), overridden by `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, then by `overrides` (command-line flags). Temporal Cloud
 * needs no code: an address, a namespace and an API key or a client certificate.
 *
 * @throws CodikaValidationError naming the variable when the file or the profile cannot be used.
 */
export function temporalConnectSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: { address?: string; namespace?: string } = {},
): TemporalConnectSettings {
  // An empty variable means unset, as everywhere else in this project (`TEMPORAL_API_KEY=` is no key).
  const vars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ profile: env.TEMPORAL_PROFILE || undefined, overrideEnvVars: vars });
  } catch (err) {
    // The TOML parser quotes the lines around an error, which may hold an API key: keep only its first line.
    const { line, column } = err as { line?: number; column?: number };
    const message =
      String((err as Error).message)
        .split('\n')[0]!
        .trim() + (line ? ` (line ${line}, column ${column ?? '?'})` : '');
    const profileMissing = /^Profile '.*' not found/.test(message);
    const where = profileMissing || !env.TEMPORAL_CONFIG_FILE ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE';
    throw new CodikaValidationError(where, `cannot load the Temporal connection profile: ${message}`);
  }
  const address = overrides.address || loaded.connectionOptions.address || DEFAULT_TEMPORAL_ADDRESS;
  const connectionOptions = { ...loaded.connectionOptions, address };
  const auth = [
    connectionOptions.apiKey ? 'API key' : undefined,
    connectionOptions.tls ? (hasClientCert(connectionOptions.tls) ? 'mTLS' : 'TLS') : undefined,
  ].filter(Boolean);
  return {
    connectionOptions,
    namespace: overrides.namespace || loaded.namespace || 'default',
    description: `${address}${auth.length ? ` (${auth.join(', ')})` : ''}`,
  };
}

function hasClientCert(tls: NativeConnectionOptions['tls']): boolean {
  return typeof tls === 'object' && tls !== null && tls.clientCertPair !== undefined;
}
