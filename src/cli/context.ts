import { Client, Connection } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import { codecFromEnv } from '../codec/aes-gcm-codec';
import { encryptedDataConverter } from '../codec/codec-data-converter';
import { temporalConnectSettings } from '../client/temporal-connection';
import { TemporalUnavailableError } from './errors';

/** Exit codes: documented in docs/cli.md, relied on by scripts. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3 } as const;

/** Options every command takes (flags, else environment, else the local defaults). */
export interface GlobalOptions {
  /** A flag; else Temporal's environment configuration (TEMPORAL_ADDRESS, TEMPORAL_PROFILE…). */
  address?: string;
  namespace?: string;
  taskQueue: string;
  uiUrl: string;
  /** The environment the CLI was started with (codec keys are read from it). */
  env: NodeJS.ProcessEnv;
}

/** Where the CLI writes: stdout for results, stderr for progress and errors. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
  stderr: NodeJS.WriteStream;
}

/**
 * A connected client, closed by `close`, with the namespace it uses. The connection comes from the
 * flags, else Temporal's standard environment configuration (see `temporalConnectSettings`).
 *
 * @throws TemporalUnavailableError naming the address.
 */
export async function connect(
  options: GlobalOptions,
): Promise<{ client: Client; namespace: string; close(): Promise<void> }> {
  const temporal = temporalConnectSettings(options.env, { address: options.address, namespace: options.namespace });
  const connection = await Connection.connect({ ...temporal.connectionOptions, connectTimeout: '5 seconds' }).catch(
    (err: unknown) => {
      throw new TemporalUnavailableError(
        `cannot reach Temporal at ${temporal.description} (--address, TEMPORAL_ADDRESS or TEMPORAL_PROFILE): ${(err as Error).message ?? String(err)}`,
      );
    },
  );
  // The same keys as the worker's (CODIKA_CODEC_KEYS), so inputs and results travel encrypted.
  const codec = codecFromEnv(options.env);
  const client = new Client({
    connection,
    namespace: temporal.namespace,
    dataConverter: codec ? encryptedDataConverter(codec) : undefined,
  });
  return { client, namespace: temporal.namespace, close: () => connection.close() };
}

/** The Temporal UI page of a run. */
export function uiLink(options: GlobalOptions, namespace: string, workflowId: string, runId: string): string {
  const base = options.uiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
}

/** Defaults of the global options, from the environment. */
export function globalDefaults(env: NodeJS.ProcessEnv): GlobalOptions {
  return {
    taskQueue: env.CODIKA_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    uiUrl: env.TEMPORAL_UI_URL || 'http://localhost:8233',
    env,
  };
}
