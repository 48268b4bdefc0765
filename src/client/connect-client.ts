import { Client, Connection, type ClientOptions } from '@temporalio/client';
import { temporalConnectSettings } from './temporal-connection';

/**
 * A Temporal client connected from Temporal's standard environment configuration (`TEMPORAL_ADDRESS`,
 * `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, or a `TEMPORAL_PROFILE` in the TOML file
 * at `TEMPORAL_CONFIG_FILE`): the same code reaches a local server and Temporal Cloud. Close it
 * with `client.connection.close()`.
 *
 * @throws CodikaValidationError when the configuration cannot be used; the SDK's error when the server cannot be reached.
 */
export async function connectCodikaClient(
  options: { env?: NodeJS.ProcessEnv } & Omit<ClientOptions, 'connection' | 'namespace'> = {},
): Promise<Client> {
  const { env = process.env, ...clientOptions } = options;
  const temporal = temporalConnectSettings(env);
  const connection = await Connection.connect(temporal.connectionOptions);
  return new Client({ ...clientOptions, connection, namespace: temporal.namespace });
}
